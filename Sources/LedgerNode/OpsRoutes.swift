import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus
import LedgerStore

/// `GET /healthz` (no token) and `GET /metrics` (Prometheus text; clerks and auditors).
struct OpsRoutes {
    let node: Node

    func register(on router: Router<NodeRequestContext>) {
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"ok\"}\n")))
        }
        router.get("/metrics") { _, context in
            // Metrics show the whole ledger's head: not for a peer.
            try context.requireRead(stream: nil)
            if let head = try? node.ledger.head() { node.metrics.headSeq.set(Int64(head.seq)) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: node.metrics.render())))
        }
    }
}
