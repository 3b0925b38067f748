export { defaultPod, defaultPodSpec, defaultPodTemplate, defaultContainer, defaultVolume, defaultImagePullPolicy } from './pod-defaults.js';
export { validatePod, validatePodSpec, validatePodTemplateSpec, validateRestartPolicy, validateTolerations } from './pod-validation.js';
export { validatePodUpdate, podUpdatableFieldsMessage } from './pod-update.js';
export { validateResourceRequirements, validateContainerPorts, validatePortNumOrName } from './container-validation.js';
