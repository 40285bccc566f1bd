public import Hummingbird

/// The per-request context: Hummingbird's core storage and who is asking (set by the auth middleware).
public struct NodeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The token's name and role; `nil` only on `/healthz`.
    public var identity: Identity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The role, or 401 when the request carried no valid token.
    func role() throws -> Role {
        guard let identity else { throw Problem.unauthorized("this endpoint needs Authorization: Bearer <token>") }
        return identity.role
    }

    /// Throws 403 unless the role may read `stream` (`nil`: the whole ledger).
    func requireRead(stream: String?) throws {
        let role = try role()
        guard role.mayRead(stream: stream) else {
            if case .peer(let ledger) = role {
                throw Problem.forbidden("the token of \(identity!.name) (role \(role)) may read only stream \(ledger); ask with stream=\(ledger)"
                                        + (stream.map { ", not \($0)" } ?? ""))
            }
            throw Problem.forbidden("role \(role) may not read this")
        }
    }
}
