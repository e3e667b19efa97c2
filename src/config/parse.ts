export { ConfigError, closest, describeValue, formatPath, parseConfig, type ConfigIssue } from '../../envs/validate.ts';
