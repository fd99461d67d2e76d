// Runs TrackHAR (npm package `trackhar`) over HAR files for bench/trackhar_compare.py.
// usage: node trackhar_runner.mjs <trackhar package dir> <jobs.json>
// jobs.json: [{"har": path, "indicators": {property: value | [values]}}]; prints one JSON object on stdout:
// {"seconds": time spent inside TrackHAR's process(), "results": {har: [null | [{property, path, adapter, reasoning}]]}}
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [pkgDir, jobsPath] = process.argv.slice(2);
const trackhar = await import(pathToFileURL(join(pkgDir, 'dist', 'index.js')).href);
const jobs = JSON.parse(readFileSync(jobsPath, 'utf-8'));
const results = {};
let seconds = 0;
for (const job of jobs) {
    const har = JSON.parse(readFileSync(job.har, 'utf-8'));
    const t0 = process.hrtime.bigint();
    const out = await trackhar.process(har, { indicatorValues: job.indicators });
    seconds += Number(process.hrtime.bigint() - t0) / 1e9;
    results[job.har] = out.map((r) =>
        r ? r.map((t) => ({ property: t.property, path: t.path, adapter: t.adapter, reasoning: t.reasoning,
                            value: String(t.value).slice(0, 80) })) : null);
}
process.stdout.write(JSON.stringify({ seconds, results }));
