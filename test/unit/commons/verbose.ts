// Imported first: the logger reads its level when its module loads (and returns to it on every invocation).
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
