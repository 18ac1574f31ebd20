// The corner of Go's text/template that docker's --format uses: {{.A.B}}, {{json .X}}, {{json .}}, {{index .M "k"}}.
const lookup = (obj, path) =>
  path === '.'
    ? obj
    : path
        .slice(1)
        .split('.')
        .reduce((o, k) => (o == null ? undefined : o[k]), obj);

const show = (v) => {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'object')
    return Array.isArray(v)
      ? `[${v.map(show).join(' ')}]`
      : `map[${Object.entries(v)
          .map(([k, x]) => `${k}:${show(x)}`)
          .join(' ')}]`;
  return String(v);
};

export const renderGoTemplate = (template, obj) =>
  template
    .replace(/\\t/g, '\t')
    .replace(/\\n/g, '\n')
    .replace(/\{\{\s*(json\s+|index\s+)?(\.[\w.]*)\s*("[^"]*")?\s*\}\}/g, (_, fn, path, key) => {
      const v = lookup(obj, path);
      if (fn?.trim() === 'json') return JSON.stringify(v ?? null);
      if (fn?.trim() === 'index') return show(v?.[JSON.parse(key)]);
      return show(v);
    });
