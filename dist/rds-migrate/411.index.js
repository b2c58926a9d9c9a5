export const id = 411;
export const ids = [411];
export const modules = {

/***/ 792:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   sdkEcsTaskPort: () => (/* binding */ sdkEcsTaskPort)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_cloudwatch_logs__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(303);
/* harmony import */ var _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(212);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7268);
/* harmony import */ var _client_factory_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3939);
/* harmony import */ var _explain_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7754);
// The SDK side of mode: ecs-task (EcsTaskPort): ECS RunTask/DescribeTasks/StopTask and the
// container's CloudWatch Logs stream.





const ECS_USER_ERRORS = new Set([
    'ClientException',
    'InvalidParameterException',
    'ClusterNotFoundException',
    'ServiceNotFoundException',
    'PlatformUnknownException',
    'PlatformTaskDefinitionIncompatibilityException',
    'AccessDeniedException',
]);
function sdkEcsTaskPort(options) {
    const ecs = new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_3__/* .ECSClient */ .Zgc((0,_client_factory_js__WEBPACK_IMPORTED_MODULE_1__/* .clientConfig */ .yO)('ECS', options));
    const logs = new _aws_sdk_client_cloudwatch_logs__WEBPACK_IMPORTED_MODULE_4__/* .CloudWatchLogsClient */ .TFr((0,_client_factory_js__WEBPACK_IMPORTED_MODULE_1__/* .clientConfig */ .yO)('CloudWatch Logs', options));
    const explain = (action, permission) => (error) => {
        throw (0,_explain_js__WEBPACK_IMPORTED_MODULE_2__/* .explainAwsError */ .N)(error, {
            action,
            permission,
            service: 'ECS',
            userFixable: ECS_USER_ERRORS,
        });
    };
    return {
        destroy() {
            ecs.destroy();
            logs.destroy();
        },
        async describeTaskDefinition(reference) {
            const out = await ecs
                .send(new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_3__/* .DescribeTaskDefinitionCommand */ .Zy$({ taskDefinition: reference }))
                .catch(explain(`describe task definition ${reference}`, 'ecs:DescribeTaskDefinition'));
            const definition = out.taskDefinition;
            return {
                arn: definition.taskDefinitionArn,
                networkMode: definition.networkMode,
                containers: (definition.containerDefinitions ?? []).map((c) => {
                    const options = c.logConfiguration?.logDriver === 'awslogs' ? c.logConfiguration.options : undefined;
                    return {
                        name: c.name ?? '',
                        essential: c.essential !== false,
                        logGroup: options?.['awslogs-group'],
                        logStreamPrefix: options?.['awslogs-stream-prefix'],
                    };
                }),
            };
        },
        async describeService(cluster, service) {
            const out = await ecs
                .send(new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_3__/* .DescribeServicesCommand */ .H7c({ cluster, services: [service] }))
                .catch(explain(`describe service ${service}`, 'ecs:DescribeServices'));
            const found = out.services?.[0];
            if (!found?.taskDefinition) {
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`Service '${service}' was not found in cluster '${cluster}': check 'service' and 'cluster'.`);
            }
            const vpc = found.networkConfiguration?.awsvpcConfiguration;
            return {
                taskDefinition: found.taskDefinition,
                network: vpc
                    ? {
                        subnets: vpc.subnets ?? [],
                        securityGroups: vpc.securityGroups ?? [],
                        assignPublicIp: vpc.assignPublicIp === 'ENABLED',
                    }
                    : undefined,
            };
        },
        async runTask(request) {
            const out = await ecs
                .send(new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_3__/* .RunTaskCommand */ ._eD({
                cluster: request.cluster,
                taskDefinition: request.taskDefinition,
                startedBy: request.startedBy,
                overrides: {
                    containerOverrides: [{ name: request.container, command: request.command }],
                },
                ...(request.network
                    ? {
                        networkConfiguration: {
                            awsvpcConfiguration: {
                                subnets: request.network.subnets,
                                securityGroups: request.network.securityGroups,
                                assignPublicIp: request.network.assignPublicIp ? 'ENABLED' : 'DISABLED',
                            },
                        },
                    }
                    : {}),
            }))
                .catch(explain(`run task ${request.taskDefinition}`, 'ecs:RunTask (and iam:PassRole for its roles)'));
            const arn = out.tasks?.[0]?.taskArn;
            if (!arn) {
                const failure = out.failures?.[0];
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`ECS did not start the migration task: ${failure?.reason ?? 'no task and no reason'}${failure?.detail ? ` (${failure.detail})` : ''}.`);
            }
            return arn;
        },
        async describeTask(cluster, taskArn, container) {
            const out = await ecs
                .send(new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_3__/* .DescribeTasksCommand */ .z8X({ cluster, tasks: [taskArn] }))
                .catch(explain(`describe task ${taskArn}`, 'ecs:DescribeTasks'));
            const task = out.tasks?.[0];
            if (!task)
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`The migration task ${taskArn} disappeared from ECS.`);
            const c = task.containers?.find((x) => x.name === container);
            return {
                lastStatus: task.lastStatus ?? 'UNKNOWN',
                stopCode: task.stopCode,
                stoppedReason: task.stoppedReason,
                exitCode: c?.exitCode,
                containerReason: c?.reason,
            };
        },
        async stopTask(cluster, taskArn, reason) {
            await ecs.send(new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_3__/* .StopTaskCommand */ .PP1({ cluster, task: taskArn, reason }));
        },
        async readLog(group, stream, token) {
            try {
                const out = await logs.send(new _aws_sdk_client_cloudwatch_logs__WEBPACK_IMPORTED_MODULE_4__/* .GetLogEventsCommand */ .h7S({
                    logGroupName: group,
                    logStreamName: stream,
                    startFromHead: true,
                    ...(token ? { nextToken: token } : {}),
                }));
                return {
                    lines: (out.events ?? []).map((e) => e.message ?? ''),
                    token: out.nextForwardToken ?? token,
                };
            }
            catch (error) {
                // The stream appears with the container's first line.
                if (error.name === 'ResourceNotFoundException') {
                    return { lines: [], token };
                }
                throw error;
            }
        },
    };
}


/***/ })

};
