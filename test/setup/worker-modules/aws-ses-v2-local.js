/** aws-ses-v2-local as the Jest worker loaded it (test/setup/environment.js). */
module.exports = globalThis.__workerModule('aws-ses-v2-local');
