import HTTPTypes
import Hummingbird
import LedgerCore
import LedgerStore
import NIOCore

/// `GET /v1/head`: the ledger's head signed with the node key, exactly as `doppelledger head`
/// prints it; with `?stream=S` the signed head of that stream (what a peer pins when it pulls).
struct HeadRoutes {
    let node: Node

    func register(on router: Router<NodeRequestContext>) {
        router.get("/v1/head") { request, context in
            let query = try Query(request, allowed: ["stream"])
            let stream = try query.stream()
            try context.requireRead(stream: stream)
            let json: JSON = if let stream {
                try node.ledger.signedStreamHead(stream).json
            } else {
                try node.ledger.signedHead().json
            }
            var bytes = CanonicalWriter.encode(json)
            bytes.append(0x0A)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
