/**
 * The play the benchmark and the round-trip tests run: per directory a `file` (state directory), a `copy` and a
 * `lineinfile` (create), 20 tasks for 7 directories. `root` is a template for where it writes.
 */
export const filePlaybook = (root: string, dirs = 7): string => {
  const tasks: string[] = [];
  for (let i = 0; i < dirs; i++) {
    tasks.push(`    - name: dir ${i}\n      file: { path: "${root}/d${i}", state: directory, mode: "0755" }`);
    tasks.push(`    - name: conf ${i}\n      copy: { dest: "${root}/d${i}/app.conf", content: "id=${i}\\nport=80${i}0\\n", mode: "0644" }`);
    if (i < dirs - 1)
      tasks.push(`    - name: line ${i}\n      lineinfile: { path: "${root}/d${i}/extra.conf", line: "debug=${i}", create: true, mode: "0644" }`);
  }
  return `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks.join('\n')}\n`;
};
