// The YASGUI query page of `exmech serve`: this server's endpoint, the project's prefixes, the packaged queries.
// Its configuration comes from a JSON data block in the page (never executed), so the CSP allows no inline script.
const config = JSON.parse(document.getElementById('yasgui-config').textContent);
const endpoint = location.origin + '/sparql';
Yasgui.Yasqe.defaults.value = config.start;
Yasgui.Yasr.defaults.prefixes = config.prefixes;
const yasgui = new Yasgui(document.getElementById('yasgui'), {
  requestConfig: {endpoint: endpoint, method: 'POST'},
  copyEndpointOnNewTab: false,
  endpointCatalogueOptions: {getData: () => [{endpoint: endpoint}]},
  persistenceId: null,
  corsProxy: undefined,
});
const examples = document.getElementById('examples');
examples.onchange = () => {
  const chosen = config.examples[examples.value];
  if (chosen) { yasgui.getTab().setQuery(chosen); }
};
const given = new URLSearchParams(location.search).get('query');
if (given) { yasgui.getTab().setQuery(given); yasgui.getTab().query(); }
// the graph's own IRIs open their pages on this server (the IRIs themselves stay as they are in the data)
document.getElementById('yasgui').addEventListener('click', event => {
  const link = event.target.closest('a');
  if (link && link.href.startsWith(config.base)) {
    event.preventDefault();
    location.href = '/' + link.href.slice(config.base.length);
  }
});
// results by label: each IRI a result shows keeps its prefixed name as the link text, with its rdfs:label under
// it; the labels are asked of this endpoint, one query per hundred IRIs not seen before, as the table is drawn
const labels = new Map();  // IRI -> label ('' when it has none)
const plainIri = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$/;  // nothing that could leave the <...> in a query
async function fetchLabels(iris) {
  for (let start = 0; start < iris.length; start += 100) {
    const batch = iris.slice(start, start + 100);
    batch.forEach(iri => labels.set(iri, ''));
    const query = 'SELECT ?s (MIN(STR(?l)) AS ?label) WHERE { VALUES ?s { ' +
      batch.map(iri => '<' + iri + '>').join(' ') +
      ' } ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } GROUP BY ?s';
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/sparql-results+json'},
      body: new URLSearchParams({query: query}),
    });
    if (!response.ok) { continue; }
    const answer = await response.json();
    answer.results.bindings.forEach(row => labels.set(row.s.value, row.label.value));
  }
}
function labelResults() {
  const links = [...document.querySelectorAll('#yasgui .yasr a.iri:not([data-labelled])')];
  links.forEach(link => { link.dataset.labelled = ''; });
  const iris = links.map(link => link.getAttribute('href')).filter(iri => plainIri.test(iri));
  fetchLabels([...new Set(iris)].filter(iri => !labels.has(iri))).then(() => links.forEach(link => {
    const label = labels.get(link.getAttribute('href'));
    if (label) {
      const shown = document.createElement('span');
      shown.className = 'label';
      shown.textContent = label;
      link.after(shown);
    }
  }));
}
let pending = null;
new MutationObserver(() => { clearTimeout(pending); pending = setTimeout(labelResults, 50); })
  .observe(document.getElementById('yasgui'), {childList: true, subtree: true});
