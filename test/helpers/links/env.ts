// Imported first by the handler tests: the handler modules read their environment when loaded.
process.env.TABLE_NAME ??= 'approvals-unit';
process.env.LINK_KEYS_SECRET_ID ??= 'approvals/link-keys';
process.env.AWS_REGION ??= 'eu-west-1';
process.env.STATE_MACHINE_ARN ??= 'arn:aws:states:eu-west-1:123456789012:stateMachine:approvals-unit';
process.env.USER_POOL_ID ??= 'eu-west-1_unit';
