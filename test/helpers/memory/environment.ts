// The functions' logs and metrics are off in tests (they would flood the test output); a test that
// checks them turns them on for itself.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
