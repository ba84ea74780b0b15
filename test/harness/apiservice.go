// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package harness

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	aggregatorclient "k8s.io/kube-aggregator/pkg/client/clientset_generated/clientset"
)

// APIService describes an aggregated API server listening on 127.0.0.1:Port.
type APIService struct {
	Group   string
	Version string
	// Namespace and ServiceName name the ExternalName Service created for it; the
	// server's certificate must be valid for <ServiceName>.<Namespace>.svc.
	Namespace   string
	ServiceName string
	Port        int32
	// CABundle verifies the server's serving certificate.
	CABundle []byte
	// GroupPriorityMinimum and VersionPriority default to 9900 and 15.
	GroupPriorityMinimum int32
	VersionPriority      int32
}

// RegisterAPIService routes an API group to a server on loopback. There is no
// kube-proxy here, so the Service is of type ExternalName with externalName
// 127.0.0.1: the aggregator resolves it to 127.0.0.1:<port> and checks the
// serving certificate against the bundle for the Service's DNS name.
// The namespace is created when it does not exist.
func (h *Harness) RegisterAPIService(ctx context.Context, s APIService) error {
	if s.GroupPriorityMinimum == 0 {
		s.GroupPriorityMinimum = 9900
	}
	if s.VersionPriority == 0 {
		s.VersionPriority = 15
	}
	if err := h.ExposeService(ctx, s.Namespace, s.ServiceName, s.Port); err != nil {
		return err
	}

	aggregator, err := aggregatorclient.NewForConfig(h.AdminConfig)
	if err != nil {
		return fmt.Errorf("could not build aggregator client: %w", err)
	}
	port := s.Port
	apiService := &apiregistrationv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: s.Version + "." + s.Group},
		Spec: apiregistrationv1.APIServiceSpec{
			Service:              &apiregistrationv1.ServiceReference{Namespace: s.Namespace, Name: s.ServiceName, Port: &port},
			Group:                s.Group,
			Version:              s.Version,
			CABundle:             s.CABundle,
			GroupPriorityMinimum: s.GroupPriorityMinimum,
			VersionPriority:      s.VersionPriority,
		},
	}
	if _, err := aggregator.ApiregistrationV1().APIServices().Create(ctx, apiService, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("could not create APIService %s: %w", apiService.Name, err)
	}
	return nil
}

// ExposeService creates (or replaces) a Service of type ExternalName that sends
// traffic for <name>.<namespace>.svc:<port> to 127.0.0.1:<port>, creating the
// namespace when needed. This stands in for kube-proxy, which the harness lacks.
func (h *Harness) ExposeService(ctx context.Context, namespace, name string, port int32) error {
	client := h.Client()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil &&
		!apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("could not create namespace %q: %w", namespace, err)
	}
	err := client.CoreV1().Services(namespace).Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("could not replace service %s/%s: %w", namespace, name, err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: corev1.ServiceSpec{
			Type:         corev1.ServiceTypeExternalName,
			ExternalName: "127.0.0.1",
			Ports:        []corev1.ServicePort{{Name: "https", Protocol: corev1.ProtocolTCP, Port: port}},
		},
	}
	if _, err := client.CoreV1().Services(namespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("could not create service %s/%s: %w", namespace, name, err)
	}
	return nil
}

// WaitForAPIService waits until the aggregator reports the APIService Available.
func (h *Harness) WaitForAPIService(ctx context.Context, name string, timeout time.Duration) error {
	aggregator, err := aggregatorclient.NewForConfig(h.AdminConfig)
	if err != nil {
		return fmt.Errorf("could not build aggregator client: %w", err)
	}
	var last string
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		svc, err := aggregator.ApiregistrationV1().APIServices().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		for _, c := range svc.Status.Conditions {
			if c.Type == apiregistrationv1.Available {
				last = fmt.Sprintf("%s: %s", c.Reason, c.Message)
				return c.Status == apiregistrationv1.ConditionTrue, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("APIService %s did not become available (%s): %w", name, last, err)
	}
	return nil
}
