// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package impersonationproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/klog/v2"

	configv1alpha1 "github.com/sealworks/pinniped/pkg/apis/concierge/config/v1alpha1"
)

// annotationKeysAnnotation lists the annotation keys the controller applied from
// the spec, so that a key removed from the spec is removed from the Service while
// annotations others put there stay.
const annotationKeysAnnotation = "credentialissuer.pinniped.dev/annotation-keys"

// pendingMessage is the message while a load balancer has no address yet, the
// same as upstream's.
const pendingMessage = "waiting for load balancer Service to be assigned IP or hostname"

// errPending means the endpoint is not known yet.
var errPending = fmt.Errorf("%s", pendingMessage)

// endpointFor makes the Service the spec asks for (and removes the other kind)
// and returns the endpoint clients use: externalEndpoint when set, else the load
// balancer's address or the ClusterIP. While a load balancer has no address it
// returns errPending.
func (c *Controller) endpointFor(ctx context.Context, spec *configv1alpha1.ImpersonationProxySpec) (string, error) {
	serviceType := spec.Service.Type
	if serviceType == "" {
		serviceType = configv1alpha1.ImpersonationProxyServiceTypeLoadBalancer
	}
	var keep string
	switch serviceType {
	case configv1alpha1.ImpersonationProxyServiceTypeLoadBalancer:
		keep = c.opts.LoadBalancerService
	case configv1alpha1.ImpersonationProxyServiceTypeClusterIP:
		keep = c.opts.ClusterIPService
	}
	if err := c.deleteServicesBut(ctx, keep); err != nil {
		return "", err
	}
	if keep == "" {
		return externalEndpoint(spec)
	}
	svc, err := c.applyService(ctx, keep, serviceType, spec)
	if err != nil {
		return "", err
	}
	if spec.ExternalEndpoint != "" {
		return spec.ExternalEndpoint, nil
	}
	if serviceType == configv1alpha1.ImpersonationProxyServiceTypeClusterIP {
		if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == corev1.ClusterIPNone {
			return "", errPending
		}
		return svc.Spec.ClusterIP, nil
	}
	for _, ingress := range svc.Status.LoadBalancer.Ingress {
		if ingress.Hostname != "" {
			return ingress.Hostname, nil
		}
		if ingress.IP != "" {
			return ingress.IP, nil
		}
	}
	return "", errPending
}

// applyService creates or updates the Service name in front of the proxy.
func (c *Controller) applyService(ctx context.Context, name string,
	serviceType configv1alpha1.ImpersonationProxyServiceType, spec *configv1alpha1.ImpersonationProxySpec,
) (*corev1.Service, error) {
	services := c.kube.CoreV1().Services(c.opts.Namespace)
	existing, err := c.services.Services(c.opts.Namespace).Get(name)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	want := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.opts.Namespace, Labels: c.opts.Labels},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceType(serviceType),
			Selector: c.opts.PodSelector,
			Ports: []corev1.ServicePort{{
				Name: "https", Protocol: corev1.ProtocolTCP, Port: 443,
				TargetPort: intstr.FromInt32(c.opts.Port),
			}},
			LoadBalancerIP: spec.Service.LoadBalancerIP,
		},
	}
	if existing == nil {
		want.Annotations = annotations(nil, spec.Service.Annotations)
		created, err := services.Create(ctx, want, metav1.CreateOptions{})
		if err != nil {
			return nil, fmt.Errorf("could not create service %q: %w", c.opts.Namespace+"/"+name, err)
		}
		klog.InfoS("created impersonation proxy service", "service", klog.KObj(created), "type", serviceType)
		return created, nil
	}
	updated := existing.DeepCopy()
	updated.Labels = want.Labels
	updated.Annotations = annotations(existing.Annotations, spec.Service.Annotations)
	updated.Spec.Type, updated.Spec.Selector, updated.Spec.Ports, updated.Spec.LoadBalancerIP =
		want.Spec.Type, want.Spec.Selector, want.Spec.Ports, want.Spec.LoadBalancerIP
	if apiequality.Semantic.DeepEqual(existing, updated) {
		return existing, nil
	}
	result, err := services.Update(ctx, updated, metav1.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("could not update service %q: %w", c.opts.Namespace+"/"+name, err)
	}
	return result, nil
}

// annotations returns current with the spec's annotations applied and the keys
// applied before but gone from the spec removed.
func annotations(current, fromSpec map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range current {
		out[k] = v
	}
	var previous []string
	_ = json.Unmarshal([]byte(out[annotationKeysAnnotation]), &previous)
	for _, k := range previous {
		if _, ok := fromSpec[k]; !ok {
			delete(out, k)
		}
	}
	keys := make([]string, 0, len(fromSpec))
	for k, v := range fromSpec {
		out[k] = v
		keys = append(keys, k)
	}
	slices.Sort(keys)
	delete(out, annotationKeysAnnotation)
	if len(keys) > 0 {
		encoded, _ := json.Marshal(keys)
		out[annotationKeysAnnotation] = string(encoded)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// deleteServicesBut deletes the proxy's Services other than keep.
func (c *Controller) deleteServicesBut(ctx context.Context, keep string) error {
	for _, name := range []string{c.opts.LoadBalancerService, c.opts.ClusterIPService} {
		if name == "" || name == keep {
			continue
		}
		if _, err := c.services.Services(c.opts.Namespace).Get(name); apierrors.IsNotFound(err) {
			continue
		}
		err := c.kube.CoreV1().Services(c.opts.Namespace).Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("could not delete service %q: %w", c.opts.Namespace+"/"+name, err)
		}
		klog.InfoS("deleted impersonation proxy service", "service", klog.KRef(c.opts.Namespace, name))
	}
	return nil
}
