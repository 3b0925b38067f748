/**
 * A component's User-Agent in upstream's form (`kube-scheduler/skiff (linux/amd64)`). The API
 * server names the field manager of the component's writes after the part before `/`, as
 * upstream's managedFields say `kube-scheduler`, `kubelet`, `kube-controller-manager`.
 */
export function userAgent(component: string): string {
  return `${component}/skiff (${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch})`;
}
