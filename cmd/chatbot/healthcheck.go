package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"chatbot/config"
)

// healthcheckTimeout bounds the probe: a container health check must answer quickly or count as failed.
const healthcheckTimeout = 3 * time.Second

// newHealthcheckCmd probes a running server's /healthz. Container images without curl (distroless)
// use it as their HEALTHCHECK.
func newHealthcheckCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Probe a running server's /healthz (exit 0 when healthy), for container health checks",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			url := healthzURL(cfg.Listen)
			if err := probe(cmd.Context(), url); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "ok", url)
			return nil
		},
	}
	config.AddFlags(cmd.Flags(), "listen")
	return cmd
}

// healthzURL is the /healthz address of a server listening on listen; a wildcard host is probed
// on loopback.
func healthzURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen + "/healthz"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}

func probe(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	return nil
}
