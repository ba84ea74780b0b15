// Copyright 2026 the pinniped authors. SPDX-License-Identifier: Apache-2.0

package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	clientauthv1 "k8s.io/client-go/pkg/apis/clientauthentication/v1"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
)

// execInfo is what kubectl told the plugin in KUBERNETES_EXEC_INFO.
type execInfo struct {
	// apiVersion is the ExecCredential version kubectl expects back.
	apiVersion string
	// cluster is the v1beta1 spec.cluster, the only one that is part of a
	// credential cache key.
	cluster *clientauthv1beta1.Cluster
}

// readExecInfo decodes KUBERNETES_EXEC_INFO. Without it (a person running the
// plugin by hand), or when it cannot be read, the answer is v1beta1 with no cluster.
// client-go's loader is not used: it refuses an ExecCredential without a cluster,
// which kubectl sends unless the kubeconfig asks for cluster info.
func readExecInfo() execInfo {
	info := execInfo{apiVersion: clientauthv1beta1.SchemeGroupVersion.String()}
	var cred clientauthv1beta1.ExecCredential
	err := json.Unmarshal([]byte(os.Getenv("KUBERNETES_EXEC_INFO")), &cred)
	if err != nil || cred.Kind != "ExecCredential" {
		return info
	}
	switch cred.APIVersion {
	case clientauthv1beta1.SchemeGroupVersion.String():
		info.cluster = cred.Spec.Cluster
	case clientauthv1.SchemeGroupVersion.String():
		info.apiVersion = cred.APIVersion
	}
	return info
}

// execCredential wraps a status for kubectl. An expiry that has already passed is
// left out: kubectl would run the plugin again for every request, and without one
// it keeps the credential until the server refuses it.
func execCredential(status *clientauthv1beta1.ExecCredentialStatus, apiVersion string,
	now time.Time) *clientauthv1beta1.ExecCredential {
	status = status.DeepCopy()
	if status.ExpirationTimestamp != nil && !status.ExpirationTimestamp.Time.After(now) {
		status.ExpirationTimestamp = nil
	}
	cred := &clientauthv1beta1.ExecCredential{Status: status}
	cred.Kind = "ExecCredential"
	cred.APIVersion = apiVersion
	return cred
}

// printExecCredential writes one JSON line: the v1 and v1beta1 shapes are the same.
func printExecCredential(out io.Writer, cred *clientauthv1beta1.ExecCredential) error {
	data, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("could not encode the ExecCredential: %w", err)
	}
	_, err = fmt.Fprintln(out, string(data))
	return err
}
