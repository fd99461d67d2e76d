// Prints TrackHAR's adapters (CC0) as JSON: tracker name, endpoint URLs (regexes as "re:<source>"), data properties.
// Usage: node bench/trackhar_adapters.mjs <path to node_modules/trackhar>
const pkg = process.argv[2];
const { adapters } = await import(pkg + '/dist/index.js');
console.log(JSON.stringify(adapters.map(a => ({
  tracker: a.tracker.name, adapter: a.slug,
  endpoints: a.endpointUrls.map(u => typeof u === 'string' ? u : 're:' + u.source),
  properties: Object.keys(a.containedDataPaths || {}),
}))));
