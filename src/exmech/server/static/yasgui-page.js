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
