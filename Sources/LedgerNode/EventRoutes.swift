import HTTPTypes
import Hummingbird
import LedgerCore
import LedgerStore
import NIOCore
import NIOPosix

/// `POST /v1/events` and `GET /v1/events`.
struct EventRoutes {
    let node: Node

    func register(on router: Router<NodeRequestContext>) {
        router.post("/v1/events") { request, context in try await append(request, context) }
        router.get("/v1/events") { request, context in try await read(request, context) }
    }

    // MARK: - Appending

    /// Appends one event (a JSON object) or a batch (an array), atomically; answers after the
    /// durable commit. `Idempotency-Key` is the key of a single event that has none; in a batch,
    /// an event without a key gets `<Idempotency-Key>.<n>` (n counting from 1).
    func append(_ request: Request, _ context: NodeRequestContext) async throws -> Response {
        let role = try context.role()
        guard role.mayAppend else {
            throw Problem.forbidden("role \(role) may not append; appending needs a clerk's token")
        }
        if let type = request.headers[.contentType], !type.lowercased().contains("json") {
            throw Problem.unsupportedMediaType("Content-Type must be application/json, got \"\(type)\"")
        }
        let limits = node.config.limits
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limits.batchBytes {
            throw Problem.tooLarge("the body has \(length) bytes; a batch may have at most \(limits.batchBytes)")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.batchBytes)
        } catch is NIOTooManyBytesError {
            throw Problem.tooLarge("the body exceeds \(limits.batchBytes) bytes, the most a batch may have")
        }
        let json: JSON = try body.withUnsafeReadableBytes { bytes in
            guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
                throw Problem.invalidJSON("the body is empty; send one event object or an array of events")
            }
            if first == UInt8(ascii: "{"), bytes.count > limits.singleEventBytes {
                throw Problem.tooLarge("a single event may have at most \(limits.singleEventBytes) bytes; this one has \(bytes.count)")
            }
            do { return try JSONParser.parse(bytes) } catch {
                throw Problem.invalidJSON("the body is not valid JSON: \(error)")
            }
        }
        let idempotencyKey = request.headers[.idempotencyKey]
        let isBatch: Bool
        var items: [JSON]
        switch json {
        case .array(let a):
            isBatch = true
            items = a
            guard !items.isEmpty else { throw Problem.invalidEvent("the array holds no events; send at least one", field: nil, index: nil) }
            guard items.count <= limits.batchEvents else {
                throw Problem.tooLarge("a batch may hold at most \(limits.batchEvents) events; this one holds \(items.count)")
            }
        case .object:
            isBatch = false
            items = [json]
        default:
            throw Problem.invalidEvent("the body must be an event object or an array of events, not \(json.kindName)", field: nil, index: nil)
        }
        var events: [NewEvent] = []
        events.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            let index = isBatch ? i : nil
            let at = isBatch ? "event \(i + 1): " : ""
            var item = item
            if case .object(var o) = item, let idempotencyKey {
                let derived = isBatch ? "\(idempotencyKey).\(i + 1)" : idempotencyKey
                if let given = o["key"] {
                    if !isBatch, given != .string(idempotencyKey) {
                        throw Problem.invalidEvent("the Idempotency-Key header (\(idempotencyKey)) and the event's key differ; send one or make them equal",
                                                   field: "key", index: nil)
                    }
                } else {
                    o["key"] = .string(derived)
                    item = .object(o)
                }
            }
            let event: NewEvent
            do { event = try NewEvent(json: item) } catch {
                throw Problem.invalidEvent(at + error.message, field: error.field.isEmpty ? nil : error.field, index: index)
            }
            if event.recordedAt != nil {
                throw Problem.invalidEvent(at + "recordedAt is set by the node; only 'doppelledger import --preserve-recorded-at' takes it from an event",
                                           field: "recordedAt", index: index)
            }
            events.append(event)
        }
        let outcomes: [Ledger.Outcome]
        do {
            outcomes = try await node.append(events)
        } catch let error as LedgerError {
            switch error {
            case .invalid(let i, let v):
                throw Problem.invalidEvent((isBatch ? "event \(i + 1): " : "") + v.message + "; nothing was appended",
                                           field: v.field.isEmpty ? nil : v.field, index: isBatch ? i : nil)
            case .recordedAt(let i, let m):
                throw Problem.invalidEvent((isBatch ? "event \(i + 1): " : "") + m, field: "recordedAt", index: isBatch ? i : nil)
            case .keyConflict:
                throw Problem.keyConflict(error.description + "; nothing was appended", index: nil)
            case .storage(let m):
                throw Problem.storage(m + "; nothing was appended")
            default:
                throw Problem.invalidEvent(error.description, field: nil, index: nil)
            }
        } catch is GroupCommitter.Closed {
            throw Problem.unavailable("the node is shutting down; nothing was appended, send it again")
        }
        let results = outcomes.map(Self.resultJSON)
        let answer: JSON = isBatch ? .object(JSONObject([("results", .array(results))])) : results[0]
        var bytes = CanonicalWriter.encode(answer)
        bytes.append(0x0A)
        let anyNew = outcomes.contains(where: \.isNew)
        return Response(status: anyNew ? .created : .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{"new": Bool, "record": {…}, "warnings": [..]}` for one outcome.
    static func resultJSON(_ outcome: Ledger.Outcome) -> JSON {
        let record = (try? JSONParser.parse(outcome.record.canonicalLine)) ?? .null
        return .object(JSONObject([("new", .bool(outcome.isNew)), ("record", record),
                                   ("warnings", .array(outcome.warnings.map { .string($0) }))]))
    }

    // MARK: - Reading

    /// JSON Lines of records after `after` (a seq), at most `limit`, optionally of one stream:
    /// exactly the lines `doppelledger export` writes.
    func read(_ request: Request, _ context: NodeRequestContext) async throws -> Response {
        let query = try Query(request, allowed: ["after", "limit", "stream"])
        let stream = try query.stream()
        try context.requireRead(stream: stream)
        let after = try query.unsigned("after") ?? 0
        let maxRecords = node.config.limits.readRecords
        let limit = try query.unsigned("limit") ?? UInt64(min(1000, maxRecords))
        guard limit >= 1, limit <= UInt64(maxRecords) else {
            throw Problem.badQuery("limit", "limit must be from 1 to \(maxRecords), got \(limit)")
        }
        let ledger = node.ledger
        guard after < UInt64.max else {
            return Response(status: .ok, headers: [.contentType: "application/jsonl"], body: .init())
        }
        let bytes: [UInt8] = try await NIOThreadPool.singleton.runIfActive {
            var out = [UInt8]()
            var count: UInt64 = 0
            try ledger.scan(stream: stream, fromSeq: after + 1) { seq, value in
                guard StoredRecord.isWellFormed(value) else {
                    throw LedgerError.storage("record \(seq) is damaged; run 'doppelledger verify'")
                }
                StoredRecord.appendLine(value, to: &out)
                count += 1
                return count < limit
            }
            return out
        }
        return Response(status: .ok, headers: [.contentType: "application/jsonl"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension HTTPField.Name {
    static var idempotencyKey: Self { Self("Idempotency-Key")! }
}

/// The query parameters of a request, refused when unknown or malformed.
struct Query {
    let values: [String: String]

    init(_ request: Request, allowed: Set<String>) throws {
        var values: [String: String] = [:]
        for (k, v) in request.uri.queryParameters {
            let key = String(k)
            guard allowed.contains(key) else {
                throw Problem.badQuery(key, "unknown query parameter \"\(key)\" (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard values[key] == nil else { throw Problem.badQuery(key, "query parameter \(key) is given twice") }
            values[key] = String(v)
        }
        self.values = values
    }

    func unsigned(_ name: String) throws -> UInt64? {
        guard let text = values[name] else { return nil }
        guard let n = UInt64(text) else { throw Problem.badQuery(name, "\(name) must be a whole number of at least 0, got \"\(text)\"") }
        return n
    }

    func stream() throws -> String? {
        guard let s = values["stream"] else { return nil }
        guard StreamName.isValid(s) else {
            throw Problem.badQuery("stream", "stream must be traeger:<id>, jugendamt:<org> or intern, got \"\(s)\"")
        }
        return s
    }
}
