/**
 * The image vectors of the extensions of catalog 1.86 (their `images.yaml` at the versions 23KE
 * pinned, as 23KE's configuration chart listed them): what the extension controllers deploy into
 * seeds and shoots. Data for `imageVectorOverwrite`, which the registry overwrite rewrites.
 */

export interface VectorImage {
  name: string;
  repository: string;
  tag?: string;
  targetVersion?: string;
}

export const EXTENSION_IMAGE_VECTORS: Readonly<Record<string, readonly VectorImage[]>> = {
  "provider-openstack": [
    {
      name: "terraformer",
      repository: "eu.gcr.io/gardener-project/gardener/terraformer-openstack",
      tag: "v2.23.0",
    },
    {
      name: "cloud-controller-manager",
      repository: "registry.k8s.io/provider-os/openstack-cloud-controller-manager",
      tag: "v1.24.6",
      targetVersion: "1.24.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "registry.k8s.io/provider-os/openstack-cloud-controller-manager",
      tag: "v1.25.6",
      targetVersion: "1.25.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "registry.k8s.io/provider-os/openstack-cloud-controller-manager",
      tag: "v1.26.4",
      targetVersion: "1.26.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "registry.k8s.io/provider-os/openstack-cloud-controller-manager",
      tag: "v1.27.3",
      targetVersion: "1.27.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "registry.k8s.io/provider-os/openstack-cloud-controller-manager",
      tag: "v1.28.1",
      targetVersion: ">= 1.28",
    },
    {
      name: "machine-controller-manager",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager",
      tag: "v0.50.0",
    },
    {
      name: "machine-controller-manager-provider-openstack",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager-provider-openstack",
      tag: "v0.15.1",
    },
    {
      name: "csi-driver-cinder",
      repository: "registry.k8s.io/provider-os/cinder-csi-plugin",
      tag: "v1.24.6",
      targetVersion: "1.24.x",
    },
    {
      name: "csi-driver-cinder",
      repository: "registry.k8s.io/provider-os/cinder-csi-plugin",
      tag: "v1.25.6",
      targetVersion: "1.25.x",
    },
    {
      name: "csi-driver-cinder",
      repository: "registry.k8s.io/provider-os/cinder-csi-plugin",
      tag: "v1.26.3",
      targetVersion: "1.26.x",
    },
    {
      name: "csi-driver-cinder",
      repository: "registry.k8s.io/provider-os/cinder-csi-plugin",
      tag: "v1.27.3",
      targetVersion: "1.27.x",
    },
    {
      name: "csi-driver-cinder",
      repository: "registry.k8s.io/provider-os/cinder-csi-plugin",
      tag: "v1.28.1",
      targetVersion: ">= 1.28",
    },
    {
      name: "csi-driver-manila",
      repository: "registry.k8s.io/provider-os/manila-csi-plugin",
      tag: "v1.25.6",
      targetVersion: "< 1.26",
    },
    {
      name: "csi-driver-manila",
      repository: "registry.k8s.io/provider-os/manila-csi-plugin",
      tag: "v1.26.4",
      targetVersion: "1.26.x",
    },
    {
      name: "csi-driver-manila",
      repository: "registry.k8s.io/provider-os/manila-csi-plugin",
      tag: "v1.27.3",
      targetVersion: "1.27.x",
    },
    {
      name: "csi-driver-manila",
      repository: "registry.k8s.io/provider-os/manila-csi-plugin",
      tag: "v1.28.1",
      targetVersion: ">= 1.28",
    },
    { name: "csi-driver-nfs", repository: "registry.k8s.io/sig-storage/nfsplugin", tag: "v4.4.0" },
    { name: "csi-provisioner", repository: "registry.k8s.io/sig-storage/csi-provisioner", tag: "v3.6.1" },
    { name: "csi-attacher", repository: "registry.k8s.io/sig-storage/csi-attacher", tag: "v4.4.1" },
    { name: "csi-snapshotter", repository: "registry.k8s.io/sig-storage/csi-snapshotter", tag: "v6.3.1" },
    {
      name: "csi-snapshot-controller",
      repository: "registry.k8s.io/sig-storage/snapshot-controller",
      tag: "v6.3.1",
    },
    {
      name: "csi-snapshot-validation-webhook",
      repository: "registry.k8s.io/sig-storage/snapshot-validation-webhook",
      tag: "v6.3.1",
    },
    { name: "csi-resizer", repository: "registry.k8s.io/sig-storage/csi-resizer", tag: "v1.9.1" },
    {
      name: "csi-node-driver-registrar",
      repository: "registry.k8s.io/sig-storage/csi-node-driver-registrar",
      tag: "v2.9.0",
    },
    { name: "csi-liveness-probe", repository: "registry.k8s.io/sig-storage/livenessprobe", tag: "v2.11.0" },
  ],
  "provider-azure": [
    {
      name: "terraformer",
      repository: "eu.gcr.io/gardener-project/gardener/terraformer-azure",
      tag: "v2.23.0",
    },
    {
      name: "cloud-controller-manager",
      repository: "mcr.microsoft.com/oss/kubernetes/azure-cloud-controller-manager",
      tag: "v1.24.21",
      targetVersion: "1.24.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "mcr.microsoft.com/oss/kubernetes/azure-cloud-controller-manager",
      tag: "v1.25.20",
      targetVersion: "1.25.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "mcr.microsoft.com/oss/kubernetes/azure-cloud-controller-manager",
      tag: "v1.26.16",
      targetVersion: "1.26.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "mcr.microsoft.com/oss/kubernetes/azure-cloud-controller-manager",
      tag: "v1.27.10",
      targetVersion: "1.27.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "mcr.microsoft.com/oss/kubernetes/azure-cloud-controller-manager",
      tag: "v1.28.2",
      targetVersion: ">= 1.28",
    },
    {
      name: "cloud-node-manager",
      repository: "mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager",
      tag: "v1.24.21",
      targetVersion: "1.24.x",
    },
    {
      name: "cloud-node-manager",
      repository: "mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager",
      tag: "v1.25.20",
      targetVersion: "1.25.x",
    },
    {
      name: "cloud-node-manager",
      repository: "mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager",
      tag: "v1.26.16",
      targetVersion: "1.26.x",
    },
    {
      name: "cloud-node-manager",
      repository: "mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager",
      tag: "v1.27.10",
      targetVersion: "1.27.x",
    },
    {
      name: "cloud-node-manager",
      repository: "mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager",
      tag: "v1.28.2",
      targetVersion: ">= 1.28",
    },
    {
      name: "machine-controller-manager",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager",
      tag: "v0.50.0",
    },
    {
      name: "machine-controller-manager-provider-azure",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager-provider-azure",
      tag: "v0.11.1",
    },
    {
      name: "csi-driver-disk",
      repository: "mcr.microsoft.com/oss/kubernetes-csi/azuredisk-csi",
      tag: "v1.29.1",
    },
    {
      name: "csi-driver-file",
      repository: "mcr.microsoft.com/oss/kubernetes-csi/azurefile-csi",
      tag: "v1.29.1",
    },
    { name: "csi-provisioner", repository: "registry.k8s.io/sig-storage/csi-provisioner", tag: "v3.6.1" },
    { name: "csi-attacher", repository: "registry.k8s.io/sig-storage/csi-attacher", tag: "v4.4.1" },
    { name: "csi-snapshotter", repository: "registry.k8s.io/sig-storage/csi-snapshotter", tag: "v6.3.1" },
    {
      name: "csi-snapshot-controller",
      repository: "registry.k8s.io/sig-storage/snapshot-controller",
      tag: "v6.3.1",
    },
    {
      name: "csi-snapshot-validation-webhook",
      repository: "registry.k8s.io/sig-storage/snapshot-validation-webhook",
      tag: "v6.3.1",
    },
    { name: "csi-resizer", repository: "registry.k8s.io/sig-storage/csi-resizer", tag: "v1.9.1" },
    {
      name: "csi-node-driver-registrar",
      repository: "registry.k8s.io/sig-storage/csi-node-driver-registrar",
      tag: "v2.9.0",
    },
    { name: "csi-liveness-probe", repository: "registry.k8s.io/sig-storage/livenessprobe", tag: "v2.11.0" },
    {
      name: "remedy-controller-azure",
      repository: "eu.gcr.io/gardener-project/gardener/remedy-controller/remedy-controller-azure",
      tag: "v0.10.0",
    },
  ],
  "provider-aws": [
    {
      name: "terraformer",
      repository: "eu.gcr.io/gardener-project/gardener/terraformer-aws",
      tag: "v2.23.0",
    },
    {
      name: "cloud-controller-manager",
      repository: "eu.gcr.io/gardener-project/kubernetes/cloud-provider-aws",
      tag: "v1.24.13",
      targetVersion: "1.24.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "registry.k8s.io/provider-aws/cloud-controller-manager",
      tag: "v1.25.3",
      targetVersion: "1.25.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "registry.k8s.io/provider-aws/cloud-controller-manager",
      tag: "v1.26.1",
      targetVersion: "1.26.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "registry.k8s.io/provider-aws/cloud-controller-manager",
      tag: "v1.27.1",
      targetVersion: "1.27.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "registry.k8s.io/provider-aws/cloud-controller-manager",
      tag: "v1.28.1",
      targetVersion: ">= 1.28",
    },
    {
      name: "machine-controller-manager",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager",
      tag: "v0.50.1",
    },
    {
      name: "machine-controller-manager-provider-aws",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager-provider-aws",
      tag: "v0.19.2",
    },
    {
      name: "aws-lb-readvertiser",
      repository: "eu.gcr.io/gardener-project/gardener/aws-lb-readvertiser",
      tag: "v0.9.0",
    },
    {
      name: "aws-custom-route-controller",
      repository: "eu.gcr.io/gardener-project/gardener/aws-custom-route-controller",
      tag: "v0.7.0",
    },
    {
      name: "aws-load-balancer-controller",
      repository: "public.ecr.aws/eks/aws-load-balancer-controller",
      tag: "v2.6.1",
    },
    { name: "csi-driver", repository: "registry.k8s.io/provider-aws/aws-ebs-csi-driver", tag: "v1.23.0" },
    {
      name: "csi-volume-modifier",
      repository: "public.ecr.aws/ebs-csi-driver/volume-modifier-for-k8s",
      tag: "v0.1.2",
    },
    { name: "csi-provisioner", repository: "registry.k8s.io/sig-storage/csi-provisioner", tag: "v3.6.0" },
    { name: "csi-attacher", repository: "registry.k8s.io/sig-storage/csi-attacher", tag: "v4.4.0" },
    { name: "csi-resizer", repository: "registry.k8s.io/sig-storage/csi-resizer", tag: "v1.9.0" },
    { name: "csi-snapshotter", repository: "registry.k8s.io/sig-storage/csi-snapshotter", tag: "v6.3.1" },
    {
      name: "csi-snapshot-validation-webhook",
      repository: "registry.k8s.io/sig-storage/snapshot-validation-webhook",
      tag: "v6.3.1",
    },
    {
      name: "csi-snapshot-controller",
      repository: "registry.k8s.io/sig-storage/snapshot-controller",
      tag: "v6.3.1",
    },
    {
      name: "csi-node-driver-registrar",
      repository: "registry.k8s.io/sig-storage/csi-node-driver-registrar",
      tag: "v2.9.0",
    },
    { name: "csi-liveness-probe", repository: "registry.k8s.io/sig-storage/livenessprobe", tag: "v2.11.0" },
  ],
  "provider-gcp": [
    {
      name: "terraformer",
      repository: "eu.gcr.io/gardener-project/gardener/terraformer-gcp",
      tag: "v2.23.0",
    },
    {
      name: "cloud-controller-manager",
      repository: "eu.gcr.io/gardener-project/kubernetes/cloud-provider-gcp",
      tag: "v1.24.13",
      targetVersion: "1.24.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "eu.gcr.io/gardener-project/kubernetes/cloud-provider-gcp",
      tag: "v1.25.14",
      targetVersion: "1.25.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "eu.gcr.io/gardener-project/kubernetes/cloud-provider-gcp",
      tag: "v1.26.9",
      targetVersion: "1.26.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "eu.gcr.io/gardener-project/kubernetes/cloud-provider-gcp",
      tag: "v1.27.6",
      targetVersion: "1.27.x",
    },
    {
      name: "cloud-controller-manager",
      repository: "eu.gcr.io/gardener-project/kubernetes/cloud-provider-gcp",
      tag: "v1.28.2",
      targetVersion: ">= 1.28",
    },
    {
      name: "machine-controller-manager",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager",
      tag: "v0.50.0",
    },
    {
      name: "machine-controller-manager-provider-gcp",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager-provider-gcp",
      tag: "v0.17.1",
    },
    {
      name: "csi-driver",
      repository: "registry.k8s.io/cloud-provider-gcp/gcp-compute-persistent-disk-csi-driver",
      tag: "v1.11.1",
    },
    {
      name: "csi-provisioner",
      repository: "registry.k8s.io/sig-storage/csi-provisioner",
      tag: "v3.6.1",
      targetVersion: ">= 1.24",
    },
    { name: "csi-attacher", repository: "registry.k8s.io/sig-storage/csi-attacher", tag: "v4.4.1" },
    { name: "csi-resizer", repository: "registry.k8s.io/sig-storage/csi-resizer", tag: "v1.9.1" },
    { name: "csi-snapshotter", repository: "registry.k8s.io/sig-storage/csi-snapshotter", tag: "v6.3.1" },
    {
      name: "csi-snapshot-validation-webhook",
      repository: "registry.k8s.io/sig-storage/snapshot-validation-webhook",
      tag: "v6.3.1",
    },
    {
      name: "csi-snapshot-controller",
      repository: "registry.k8s.io/sig-storage/snapshot-controller",
      tag: "v6.3.1",
    },
    {
      name: "csi-node-driver-registrar",
      repository: "registry.k8s.io/sig-storage/csi-node-driver-registrar",
      tag: "v2.9.0",
    },
    { name: "csi-liveness-probe", repository: "registry.k8s.io/sig-storage/livenessprobe", tag: "v2.11.0" },
  ],
  "provider-alicloud": [
    {
      name: "terraformer",
      repository: "eu.gcr.io/gardener-project/gardener/terraformer-alicloud",
      tag: "v2.23.0",
    },
    {
      name: "machine-controller-manager",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager",
      tag: "v0.50.1",
    },
    {
      name: "machine-controller-manager-provider-alicloud",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager-provider-alicloud",
      tag: "v0.10.1",
    },
    {
      name: "alicloud-controller-manager",
      repository: "registry-eu-central-1.ack.aliyuncs.com/acs/cloud-controller-manager-amd64",
      tag: "v2.7.0",
    },
    { name: "csi-attacher", repository: "registry.k8s.io/sig-storage/csi-attacher", tag: "v4.0.0" },
    {
      name: "csi-node-driver-registrar",
      repository: "registry.k8s.io/sig-storage/csi-node-driver-registrar",
      tag: "v2.6.2",
    },
    { name: "csi-provisioner", repository: "registry.k8s.io/sig-storage/csi-provisioner", tag: "v3.3.0" },
    { name: "csi-snapshotter", repository: "registry.k8s.io/sig-storage/csi-snapshotter", tag: "v6.1.0" },
    {
      name: "csi-snapshot-validation-webhook",
      repository: "registry.k8s.io/sig-storage/snapshot-validation-webhook",
      tag: "v6.1.0",
    },
    {
      name: "csi-snapshot-controller",
      repository: "registry.k8s.io/sig-storage/snapshot-controller",
      tag: "v6.1.0",
    },
    { name: "csi-resizer", repository: "registry.k8s.io/sig-storage/csi-resizer", tag: "v1.6.0" },
    {
      name: "csi-plugin-alicloud",
      repository: "registry.eu-central-1.aliyuncs.com/acs/csi-plugin",
      tag: "v1.26.1-70dbbcd-aliyun",
    },
    { name: "csi-liveness-probe", repository: "registry.k8s.io/sig-storage/livenessprobe", tag: "v2.8.0" },
  ],
  "provider-hcloud": [
    { name: "csi-attacher", repository: "registry.k8s.io/sig-storage/csi-attacher", tag: "v3.4.0" },
    { name: "csi-resizer", repository: "registry.k8s.io/sig-storage/csi-resizer", tag: "v1.4.0" },
    {
      name: "csi-node-driver-registrar",
      repository: "registry.k8s.io/sig-storage/csi-node-driver-registrar",
      tag: "v2.4.0",
    },
    { name: "csi-provisioner", repository: "registry.k8s.io/sig-storage/csi-provisioner", tag: "v2.2.2" },
    {
      name: "hcloud-cloud-controller-manager",
      repository: "docker.io/hetznercloud/hcloud-cloud-controller-manager",
      tag: "v1.13.2",
    },
    {
      name: "machine-controller-manager",
      repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager",
      tag: "v0.49.3",
    },
    {
      name: "machine-controller-manager-provider-hcloud",
      repository: "ghcr.io/23technologies/machine-controller-manager-provider-hcloud",
      tag: "v0.2.24",
    },
    {
      name: "csi-driver-controller",
      repository: "ghcr.io/23technologies/hcloud-csi-driver",
      tag: "v1.6.0-23technologies.1",
    },
    { name: "csi-driver-node", repository: "docker.io/hetznercloud/hcloud-csi-driver", tag: "1.6.0" },
    { name: "liveness-probe", repository: "registry.k8s.io/sig-storage/livenessprobe", tag: "v2.5.0" },
  ],
  "networking-calico": [
    { name: "calico-node", repository: "quay.io/calico/node", tag: "v3.26.3" },
    { name: "calico-cni", repository: "quay.io/calico/cni", tag: "v3.26.3" },
    { name: "calico-typha", repository: "quay.io/calico/typha", tag: "v3.26.3" },
    { name: "calico-kube-controllers", repository: "quay.io/calico/kube-controllers", tag: "v3.26.3" },
    { name: "calico-cpa", repository: "registry.k8s.io/cpa/cluster-proportional-autoscaler", tag: "v1.8.8" },
    { name: "calico-cpva", repository: "registry.k8s.io/cpa/cpvpa", tag: "v0.8.4" },
  ],
  "networking-cilium": [
    { name: "cilium-agent", repository: "quay.io/cilium/cilium", tag: "v1.14.3" },
    { name: "cilium-operator", repository: "quay.io/cilium/operator", tag: "v1.14.3" },
    { name: "hubble-ui", repository: "quay.io/cilium/hubble-ui", tag: "v0.12.1" },
    { name: "hubble-ui-backend", repository: "quay.io/cilium/hubble-ui-backend", tag: "v0.12.1" },
    { name: "hubble-relay", repository: "quay.io/cilium/hubble-relay", tag: "v1.14.3" },
    { name: "certgen", repository: "quay.io/cilium/certgen", tag: "v0.1.9" },
    { name: "kube-proxy", repository: "registry.k8s.io/kube-proxy" },
  ],
  "shoot-cert-service": [
    {
      name: "cert-management",
      repository: "eu.gcr.io/gardener-project/cert-controller-manager",
      tag: "v0.11.3",
    },
  ],
  "shoot-dns-service": [
    {
      name: "dns-controller-manager",
      repository: "eu.gcr.io/gardener-project/dns-controller-manager",
      tag: "v0.16.0",
    },
  ],
  "runtime-gvisor": [
    {
      name: "runtime-gvisor-installation",
      repository: "eu.gcr.io/gardener-project/gardener/extensions/runtime-gvisor-installation",
    },
  ],
  "shoot-oidc-service": [
    {
      name: "oidc-webhook-authenticator",
      repository: "eu.gcr.io/gardener-project/gardener/oidc-webhook-authenticator",
      tag: "v0.27.0",
    },
  ],
  "shoot-networking-filter": [
    { name: "egress-filter", repository: "eu.gcr.io/gardener-project/gardener/egress-filter", tag: "0.14.0" },
  ],
  "shoot-networking-problemdetector": [
    {
      name: "network-problem-detector-agent",
      repository: "eu.gcr.io/gardener-project/gardener/network-problem-detector",
      tag: "v0.16.0",
    },
    {
      name: "network-problem-detector-controller",
      repository: "eu.gcr.io/gardener-project/gardener/network-problem-detector",
      tag: "v0.16.0",
    },
  ],
  "shoot-rsyslog-relp": [
    { name: "alpine", repository: "eu.gcr.io/gardener-project/3rd/alpine", tag: "3.18.4" },
    { name: "pause-container", repository: "registry.k8s.io/pause", tag: "3.9" },
  ],
};
