import HTTPTypes
import Hummingbird
import LedgerCore
import LedgerStore
import NIOCore
import NIOPosix

/// `GET /v1/budget`, `GET /v1/kontrakte` and `GET /v1/reconciliation`: the views, as the CLI's
/// `budget --format json`, `kontrakte --format json` and `reconcile --format json` print them.
/// Whole-ledger reads: clerks and auditors, never peers.
struct ViewRoutes {
    let node: Node

    func register(on router: Router<NodeRequestContext>) {
        router.get("/v1/budget") { request, context in
            try context.requireRead(stream: nil)
            let query = try Query(request, allowed: ["sozialraum", "year", "quarter", "asOf"])
            let sz = try query.sozialraum(required: true)!
            let year = try query.year()
            let quarter = try query.quarter(required: false)
            let asOf = try query.asOf()
            let ledger = node.ledger
            let view = try await NIOThreadPool.singleton.runIfActive {
                try ledger.budget(sozialraum: sz, year: year, quarter: quarter, asOf: asOf)
            }
            return jsonResponse(view.json)
        }
        router.get("/v1/kontrakte") { request, context in
            try context.requireRead(stream: nil)
            let query = try Query(request, allowed: ["sozialraum", "traeger", "openOn", "asOf"])
            let sz = try query.sozialraum(required: false)
            let traeger = query.values["traeger"]
            if let traeger, !Identifier.isValid(traeger) {
                throw Problem.badQuery("traeger", "traeger must be an id (\(Identifier.rule)), got \"\(traeger)\"")
            }
            let openOnText = query.values["openOn"]
            let openOn = openOnText.flatMap { CalendarDate($0) }
            if let openOnText, openOn == nil {
                throw Problem.badQuery("openOn", "openOn must be a date YYYY-MM-DD, got \"\(openOnText)\"")
            }
            let asOf = try query.asOf()
            let ledger = node.ledger
            let list = try await NIOThreadPool.singleton.runIfActive {
                try ledger.kontrakte(asOf: asOf).filter { k in
                    (sz == nil || k.sozialraum == sz) && (traeger == nil || k.traeger == traeger)
                        && (openOn.map { k.validFrom <= $0 && $0 <= k.lastDay } ?? true)
                }
            }
            return jsonResponse(.array(list.map(\.json)))
        }
        router.get("/v1/reconciliation") { request, context in
            try context.requireRead(stream: nil)
            let query = try Query(request, allowed: ["counterparty", "year", "quarter", "asOf"])
            guard let counterpartyText = query.values["counterparty"], let counterparty = LedgerName(counterpartyText),
                  counterparty.side != node.ledger.name.side else {
                throw Problem.badQuery("counterparty", "counterparty must name the other side's ledger (traeger:<id> on a Jugendamt's node, jugendamt:<org> on a Träger's)")
            }
            let year = try query.year()
            guard let quarter = try query.quarter(required: true) else { throw Problem.badQuery("quarter", "quarter is required") }
            let asOf = try query.asOf()
            let ledger = node.ledger
            let bytes: [UInt8] = try await NIOThreadPool.singleton.runIfActive {
                let mirrorDirectory = MirrorStore.directory(ledgerDirectory: ledger.directory, peer: counterparty.description)
                guard MirrorStore.isMirror(mirrorDirectory) else {
                    throw Problem(.notFound, "no-mirror", "No mirror",
                                  "this node holds no mirror of \(counterparty); sync it first ('doppelledger sync' or syncIntervalSeconds)")
                }
                let result = try reconcileWithMirror(ledger: ledger, mirrorDirectory: mirrorDirectory, counterparty: counterparty,
                                                     year: year, quarter: quarter, asOf: asOf)
                return result.reportBytes
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    func jsonResponse(_ json: JSON) -> Response {
        var bytes = CanonicalWriter.encode(json)
        bytes.append(0x0A)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Query {
    func sozialraum(required: Bool) throws -> Sozialraum? {
        guard let text = values["sozialraum"] else {
            if required { throw Problem.badQuery("sozialraum", "sozialraum is required (konz, schweich, hermeskeil or saarburg)") }
            return nil
        }
        guard let sz = Sozialraum(rawValue: text) else {
            throw Problem.badQuery("sozialraum", "sozialraum must be one of \(Sozialraum.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
        }
        return sz
    }

    func year() throws -> Int {
        guard let text = values["year"] else { throw Problem.badQuery("year", "year is required") }
        guard let y = Int(text), (2000...2100).contains(y) else { throw Problem.badQuery("year", "year must be between 2000 and 2100, got \"\(text)\"") }
        return y
    }

    func quarter(required: Bool) throws -> Int? {
        guard let text = values["quarter"] else {
            if required { throw Problem.badQuery("quarter", "quarter is required (1 to 4)") }
            return nil
        }
        guard let q = Int(text), (1...4).contains(q) else { throw Problem.badQuery("quarter", "quarter must be 1, 2, 3 or 4, got \"\(text)\"") }
        return q
    }

    func asOf() throws -> Timestamp? {
        guard let text = values["asOf"] else { return nil }
        guard let t = Timestamp(rfc3339: text) else {
            throw Problem.badQuery("asOf", "asOf must be an RFC 3339 time like 2025-04-02T09:15:00Z (or a date), got \"\(text)\"")
        }
        return t
    }
}
