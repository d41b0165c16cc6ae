/** aws-ses-v2-local's store, from the same copy as the server (test/setup/environment.js). */
module.exports = globalThis.__workerModule('aws-ses-v2-local/dist/store');
