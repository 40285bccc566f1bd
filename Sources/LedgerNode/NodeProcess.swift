public import Logging
import Metrics
import Prometheus

/// Process-wide set-up for `serve`: logs to standard error, swift-metrics into the node's registry.
public enum NodeProcess {
    /// Sends swift-log to standard error at `LOG_LEVEL` (default `info`) and swift-metrics (the
    /// HTTP server's own metrics) into `metrics`' registry. Call once, before building the node.
    public static func bootstrap(metrics: NodeMetrics, environment: [String: String]) {
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
    }

    /// A logger that drops everything (for one-shot commands that print their own sentences).
    public static var silentLogger: Logger {
        Logger(label: "doppelledger", factory: { _ in SwiftLogNoOpLogHandler() })
    }
}
