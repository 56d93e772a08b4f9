"""PynamoDB models, one module per table. Nothing outside this package talks to DynamoDB."""
