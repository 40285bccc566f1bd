public import Hummingbird
public import LedgerCore
import HTTPTypes
import NIOCore

/// An error answer as RFC 9457 problem details (`application/problem+json`): `type`, `title`,
/// `status`, `detail` (one sentence naming the field and the rule), and, where it helps,
/// `field` and `index` (the 0-based position of the refused event in a batch).
public struct Problem: Error, HTTPResponseError, CustomStringConvertible {
    public static let typePrefix = "urn:doppelledger:problem:"

    public var status: HTTPResponse.Status
    /// The last part of the `type` URI, e.g. `invalid-event`.
    public var kind: String
    public var title: String
    public var detail: String
    public var field: String?
    public var index: Int?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ kind: String, _ title: String, _ detail: String, field: String? = nil, index: Int? = nil) {
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.field = field
        self.index = index
    }

    public var description: String { "\(status.code) \(kind): \(detail)" }

    public var json: JSON {
        var o = JSONObject([("type", .string(Self.typePrefix + kind)), ("title", .string(title)),
                            ("status", .int(Int64(status.code))), ("detail", .string(detail))])
        if let field { o["field"] = .string(field) }
        if let index { o["index"] = .int(Int64(index)) }
        return .object(o)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        var body = CanonicalWriter.encode(json)
        body.append(0x0A)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    // MARK: - The node's problems

    static func unauthorized(_ detail: String) -> Problem {
        var p = Problem(.unauthorized, "unauthorized", "Unauthorized", detail)
        p.headers[.wwwAuthenticate] = "Bearer realm=\"doppelledger\""
        return p
    }

    static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, "forbidden", "Forbidden", detail)
    }

    static func badQuery(_ field: String, _ detail: String) -> Problem {
        Problem(.badRequest, "invalid-query", "Invalid query parameter", detail, field: field)
    }

    static func invalidJSON(_ detail: String) -> Problem {
        Problem(.badRequest, "invalid-json", "Body is not valid JSON", detail)
    }

    static func invalidEvent(_ detail: String, field: String?, index: Int?) -> Problem {
        Problem(.unprocessableContent, "invalid-event", "Event refused", detail, field: field, index: index)
    }

    static func keyConflict(_ detail: String, index: Int?) -> Problem {
        Problem(.conflict, "key-conflict", "Idempotency key used for other content", detail, field: "key", index: index)
    }

    static func tooLarge(_ detail: String) -> Problem {
        Problem(.contentTooLarge, "too-large", "Request too large", detail)
    }

    static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(.unsupportedMediaType, "unsupported-media-type", "Unsupported media type", detail, field: "Content-Type")
    }

    static func notFound(_ path: String) -> Problem {
        Problem(.notFound, "not-found", "Not found", "there is no endpoint at \(path); see docs/NODE.md for the API")
    }

    static func unavailable(_ detail: String) -> Problem {
        Problem(.serviceUnavailable, "unavailable", "Service unavailable", detail)
    }

    static func storage(_ detail: String) -> Problem {
        Problem(.internalServerError, "storage", "Storage failure", detail)
    }

    static func internalError() -> Problem {
        Problem(.internalServerError, "internal", "Internal error", "the node failed to answer; its log says why")
    }
}
