/**
 * The write batch run by one perl process, where the host has perl (perl-base is Essential on Debian and Ubuntu):
 * files written, directories made and stale temp files swept by perl itself, where the shell batch starts a
 * process per file (mv) and per directory (mkdir), about 1 ms of the host's CPU each. Scripts still run with
 * /bin/sh. Its output is framed exactly as the shell batch's (op-batch.ts parses both), and it reads exactly the
 * stdin the shell batch would: each put's `size` bytes, then the end marker line, with sysread (unbuffered, never
 * past what it asked for), so the tail that follows gets the rest of stdin as it is.
 *
 * Arguments: whether PERL_BADLANG was set and its value (perl starts with it 0: no warning about a locale the host
 * lacks on the tail's stderr, and the scripts get the value they had), the frame nonce, the age in seconds that
 * makes a temp file stale, then the ops: `w DIR` (sweep), `s SCRIPT`, `d PATH MODE` (MODE '' = the umask's),
 * `p DEST TMP SIZE MODE OWNER GROUP TRAILER` (a put: TRAILER is what must follow the content on stdin), `i DEST TMP
 * SIZE MODE OWNER GROUP` (install staged content), `t SCRIPT` (the tail, exec'd with the rest of stdin). Modes are
 * decimal. Content only ever comes on stdin, never in an argument.
 */

// O_WRONLY|O_CREAT|O_EXCL as Linux numbers them on every architecture whose ELF machine is listed (x86, x86-64, ARM,
// AArch64, PowerPC, s390, RISC-V: asm-generic/fcntl.h); elsewhere perl's Fcntl says, which costs a host about 1 ms
// to load. The machine is read from perl's own executable's ELF header (20 bytes; its byte order from byte 5).
const PROGRAM = `
my ($had, $was, $n, $stale) = splice @ARGV, 0, 4;
if ($had) { $ENV{PERL_BADLANG} = $was } else { delete $ENV{PERL_BADLANG} }
$| = 1;
my (@ops, @sweep, $tail);
while (@ARGV) {
  my $k = shift @ARGV;
  if ($k eq 'w') { push @sweep, shift @ARGV }
  elsif ($k eq 't') { $tail = shift @ARGV }
  else { push @ops, [$k, splice @ARGV, 0, {s => 1, d => 2, p => 7, i => 6}->{$k}] }
}
sub fail { print "$_[0]\\n"; 1 }
sub drop { unlink $_[0]; fail($_[1]) }
my $create;
sub create_flags {
  return $create if defined $create;
  my $elf = '';
  if (open my $exe, '<', '/proc/self/exe') { sysread $exe, $elf, 20 }
  my $machine = length $elf == 20 ? unpack(substr($elf, 5, 1) eq "\\2" ? 'n' : 'v', substr $elf, 18, 2) : 0;
  return $create = 0301 if grep { $_ == $machine } 3, 62, 40, 183, 20, 21, 22, 243;
  require Fcntl;
  $create = Fcntl::O_WRONLY() | Fcntl::O_CREAT() | Fcntl::O_EXCL();
}
for my $d (@sweep) {
  opendir my $h, $d or next;
  for (readdir $h) {
    next unless /^\\..+\\.nop-[0-9a-f]{12}\\z/s;
    my @s = lstat "$d/$_";
    unlink "$d/$_" if @s && -f _ && time - $s[9] > $stale;
  }
}
sub script {
  my $pid = fork;
  return fail("fork: $!") unless defined $pid;
  unless ($pid) {
    open STDIN, '<', '/dev/null';
    open STDERR, '>&', \\*STDOUT;
    open STDOUT, '>', '/dev/null';
    exec('/bin/sh', '-c', $_[0]) or print STDERR "/bin/sh: $!\\n";
    exit 127;
  }
  waitpid $pid, 0;
  $? & 127 ? 128 + ($? & 127) : $? >> 8;
}
sub dir {
  my ($path, $mode) = @_;
  unless (mkdir $path) {
    my @up;
    push @up, substr $path, 0, pos($path) - 1 while $path =~ m{(?<=[^/])/}g;
    for my $d (@up, $path) {
      next if -d $d || mkdir $d;
      my $e = $!;
      return fail("mkdir: cannot create directory '$d': $e") unless -d $d;
    }
  }
  return 0 if $mode eq '' || chmod $mode, $path;
  fail("chmod: changing permissions of '$path': $!");
}
sub install {
  my ($dest, $tmp, $mode, $owner, $group) = @_;
  chmod $mode, $tmp or return drop($tmp, "chmod: changing permissions of '$tmp': $!");
  if ($owner ne '' || $group ne '') {
    my ($u, $g) = (-1, -1);
    if ($owner ne '') {
      $u = getpwnam $owner;
      $u = $owner if !defined $u && $owner =~ /^\\d+\\z/;
      return drop($tmp, "chown: invalid user: '$owner'") unless defined $u;
    }
    if ($group ne '') {
      $g = getgrnam $group;
      $g = $group if !defined $g && $group =~ /^\\d+\\z/;
      return drop($tmp, "chown: invalid group: '$owner:$group'") unless defined $g;
    }
    chown $u, $g, $tmp or return drop($tmp, "chown: changing ownership of '$tmp': $!");
  }
  rename $tmp, $dest or return drop($tmp, "mv: cannot move '$tmp' to '$dest': $!");
  0;
}
sub put {
  my ($dest, $tmp, $size, $mode, $owner, $group, $end) = @_;
  sysopen my $fh, $tmp, create_flags(), 0600 or return fail("cannot create $tmp: $!");
  my $short = "size check failed: the content of $size bytes did not arrive whole";
  for (my $left = $size; $left > 0;) {
    my $got = sysread STDIN, my $buf, $left > 65536 ? 65536 : $left;
    return drop($tmp, $short) unless $got;
    $left -= $got;
    for (my $off = 0; $off < $got;) {
      my $w = syswrite $fh, $buf, $got - $off, $off;
      return drop($tmp, "write error: $!") unless defined $w;
      $off += $w;
    }
  }
  my $seen = '';
  while (length $seen < length $end) {
    sysread STDIN, $seen, length($end) - length($seen), length $seen or last;
  }
  return drop($tmp, $short) unless $seen eq $end;
  close $fh or return drop($tmp, "write error: $!");
  install($dest, $tmp, $mode, $owner, $group);
}
sub staged {
  my ($dest, $tmp, $size, @attributes) = @_;
  my @s = stat $tmp or return drop($tmp, "cannot read $tmp: $!");
  return drop($tmp, "size check failed: $s[7] bytes written, $size expected") if $s[7] != $size;
  install($dest, $tmp, @attributes);
}
for my $i (0 .. $#ops) {
  my ($k, @a) = @{$ops[$i]};
  print "\\n\\@\\@nop-$n-B$i\\n";
  my $rc = $k eq 's' ? script(@a) : $k eq 'd' ? dir(@a) : $k eq 'p' ? put(@a) : staged(@a);
  print "\\n\\@\\@nop-$n-E$i $rc\\n";
  next unless $rc;
  unlink map { $_->[2] } grep { $_->[0] eq 'i' } @ops[$i + 1 .. $#ops];
  exit 0;
}
exit 0 unless defined $tail;
print "\\n\\@\\@nop-$n-T\\n";
exec('/bin/sh', '-c', $tail) or print STDERR "/bin/sh: $!\\n";
exit 127;
`;

/** The program as sent: without its indentation (it travels in every batch's command line). */
export const PERL_BATCH_PROGRAM = PROGRAM.split('\n')
  .map((line) => line.trim())
  .filter(Boolean)
  .join('\n');
