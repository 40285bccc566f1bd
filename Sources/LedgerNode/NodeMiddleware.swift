import HTTPTypes
import Hummingbird
import Logging

/// The envelope of every request: finds the bearer token's identity (401 when missing or
/// unknown; `/healthz` needs none), renders every error as problem+json, and logs one line per
/// request with the token's name and role (never the token, never the headers).
struct NodeMiddleware: RouterMiddleware {
    typealias Context = NodeRequestContext
    let tokens: TokenTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        let response: Response
        do {
            if request.uri.path != "/healthz" {
                let identity = try identify(request)
                context.identity = identity
                context.logger[metadataKey: "token"] = .string(identity.name)
                context.logger[metadataKey: "role"] = .stringConvertible(identity.role)
            }
            response = try await next(request, context)
        } catch let problem as Problem {
            response = try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            let problem: Problem = switch error.status {
            case .notFound: .notFound(request.uri.path)
            case .contentTooLarge: .tooLarge(error.body ?? "the body is too large")
            default: Problem(error.status, "http", error.status.reasonPhrase, error.body ?? error.status.reasonPhrase)
            }
            response = try problem.response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            response = try Problem.internalError().response(from: request, context: context)
        }
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        context.logger.info("request", metadata: [
            "method": "\(request.method)", "path": "\(request.uri.path)",
            "status": "\(response.status.code)", "us": "\(micros)",
        ])
        return response
    }

    private func identify(_ request: Request) throws -> Identity {
        guard let header = request.headers[.authorization] else {
            throw Problem.unauthorized("this endpoint needs Authorization: Bearer <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("the Authorization header must be \"Bearer <token>\"")
        }
        guard let identity = tokens.identify(parts[1].drop { $0 == " " }) else {
            var p = Problem.unauthorized("the bearer token is not known to this node")
            p.headers[.wwwAuthenticate] = "Bearer realm=\"doppelledger\", error=\"invalid_token\""
            throw p
        }
        return identity
    }
}
