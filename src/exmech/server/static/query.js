const box = document.getElementById('query'), out = document.getElementById('results');
document.getElementById('examples').onchange = e => { if (e.target.value) box.value = e.target.value; };
function cell(b) { return b === undefined ? '' : b.value; }
async function run() {
  out.textContent = 'running...';
  const r = await fetch('/sparql', {method: 'POST', body: box.value, headers: {
    'Content-Type': 'application/sparql-query', 'Accept': 'application/sparql-results+json, text/turtle'}});
  const text = await r.text();
  if (!r.ok || !(r.headers.get('Content-Type') || '').includes('json')) {
    out.innerHTML = ''; const pre = document.createElement('pre');
    pre.textContent = (r.ok ? '' : 'HTTP ' + r.status + ': ') + text;
    out.appendChild(pre); return; }
  const data = JSON.parse(text);
  if ('boolean' in data) { out.textContent = String(data.boolean); return; }
  const table = document.createElement('table'), head = table.insertRow();
  for (const v of data.head.vars) {
    const th = document.createElement('th'); th.textContent = v; head.appendChild(th); }
  for (const b of data.results.bindings) {
    const row = table.insertRow();
    for (const v of data.head.vars) row.insertCell().textContent = cell(b[v]); }
  out.innerHTML = ''; out.appendChild(table);
  const n = document.createElement('p'); n.id = 'count';
  n.textContent = data.results.bindings.length + ' rows'; out.appendChild(n);
}
document.getElementById('form').onsubmit = e => { e.preventDefault(); run(); };
const given = new URLSearchParams(location.search).get('query');
if (given) { box.value = given; run(); }
