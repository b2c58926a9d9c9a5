// ECS error shapes (all HTTP 400, `__type` = the exception name the SDK maps to a class).
import { ServiceError } from '../errors.ts';

const error = (code: string, message: string) => new ServiceError(code, 400, message);

export const clusterNotFound = () => error('ClusterNotFoundException', 'Cluster not found.');
export const serviceNotFound = () => error('ServiceNotFoundException', 'Service not found.');
export const serviceNotActive = () => error('ServiceNotActiveException', 'Service was not ACTIVE.');
export const invalidParameter = (message: string) => error('InvalidParameterException', message);
export const clientException = (message: string) => error('ClientException', message);
export const conflict = (message: string) => error('ConflictException', message);
export const serviceDeploymentNotFound = () =>
  error('ServiceDeploymentNotFoundException', 'Service deployment not found.');
