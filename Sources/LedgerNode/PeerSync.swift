public import AsyncHTTPClient
public import LedgerCore
public import LedgerStore
public import Logging
import Prometheus
public import NIOCore
import NIOSSL
import NIOHTTP1
import Foundation

/// Why a sync from a peer did not happen.
public enum SyncError: Error, CustomStringConvertible, Equatable {
    /// The peer's data did not verify (a fork, a broken or altered chain, a bad signature): the
    /// mirror was left as it was. The "check found something" case: `sync` exits with 1.
    case refused(String)
    /// The peer answered with an error status (with its problem's detail).
    case peerAnswered(status: Int, String)
    /// The peer could not be reached.
    case transport(String)

    public var description: String {
        switch self {
        case .refused(let m): m
        case .peerAnswered(let status, let m): "the peer answered \(status): \(m)"
        case .transport(let m): m
        }
    }
}

/// What one sync did.
public struct SyncReport: Sendable, Equatable {
    public var peer: String
    /// Records new in the mirror.
    public var added: Int
    /// The peer's signed stream head that vouched for them.
    public var head: SignedStreamHead
    /// Where the mirror is.
    public var mirrorDirectory: String
}

/// Pulls the counterparty's stream concerning us into the mirror `DIR/mirrors/<peer ledger>/`.
///
/// 1. Fetches the peer's signed head of the stream (`GET /v1/head?stream=<our ledger>`) and
///    checks it with the pinned public key, never with the key the peer sends.
/// 2. Fetches the records from the mirror's last record on (`GET /v1/events?stream=…&after=…`),
///    up to the signed head, and checks them with ``ChainChecker`` continuing from the mirror:
///    the last mirrored record must come back identical, every hash must match its content, and
///    `streamPrev` must chain each record to the one before.
/// 3. The last record must be the signed head (same streamSeq, seq and hash).
/// 4. Only then are the records stored, in one transaction. Anything else is refused, loudly,
///    with the mirror unchanged: a peer whose history changed is a fork, not an update.
public struct PeerSyncer: Sendable {
    public let ledgerDirectory: String
    public let ownLedger: LedgerName
    public let peer: NodeConfig.Peer
    let client: HTTPClient
    let logger: Logger
    let metrics: NodeMetrics?
    /// Records asked for per page.
    let pageSize: Int

    public init(ledgerDirectory: String, ownLedger: LedgerName, peer: NodeConfig.Peer, client: HTTPClient,
                logger: Logger = Logger(label: "doppelledger.sync"), metrics: NodeMetrics? = nil, pageSize: Int = 10_000) {
        self.ledgerDirectory = ledgerDirectory
        self.ownLedger = ownLedger
        self.peer = peer
        self.client = client
        var logger = logger
        logger[metadataKey: "peer"] = .string(peer.ledger.description)
        self.logger = logger
        self.metrics = metrics
        self.pageSize = pageSize
    }

    /// An HTTP client for `peer` (trusting its `caCertificate` when given). Shut it down after use.
    public static func makeClient(for peer: NodeConfig.Peer, connectTimeout: TimeAmount = .seconds(10)) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: connectTimeout, read: .seconds(120))
        if let ca = peer.caCertificate {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            } catch {
                throw ConfigError("cannot read the CA certificate \(ca) of peer \(peer.ledger): \(error)")
            }
            configuration.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The stream pulled: the peer's records concerning us, which on its ledger carry our ledger's name.
    var stream: String { ownLedger.description }

    /// Pulls, verifies and stores; throws ``SyncError`` (the mirror unchanged) on any doubt.
    public func sync() async throws -> SyncReport {
        let peerName = peer.ledger.description
        do {
            let report = try await pull()
            metrics?.peerLag(peerName).set(Int64(0))
            metrics?.peerLastSync(peerName).set(Int64(Date().timeIntervalSince1970))
            logger.info("synced", metadata: ["added": "\(report.added)", "streamSeq": "\(report.head.streamSeq)"])
            return report
        } catch let error as SyncError {
            if case .refused(let m) = error {
                metrics?.peerRefusals(peerName).increment()
                logger.critical("peer refused: its data did not verify; the mirror is unchanged", metadata: ["reason": "\(m)"])
            } else {
                logger.error("sync failed", metadata: ["error": "\(error)"])
            }
            throw error
        }
    }

    private func pull() async throws -> SyncReport {
        let peerName = peer.ledger.description
        let mirrorDirectory = MirrorStore.directory(ledgerDirectory: ledgerDirectory, peer: peerName)
        let mirror = try MirrorStore.open(at: mirrorDirectory, peer: peerName, stream: stream, create: true)
        let mirrored = try mirror.head()

        // 1. The signed head, checked with the pinned key.
        let headBody = try await get("/v1/head?stream=\(stream)")
        let head: SignedStreamHead
        do { head = try SignedStreamHead(json: try JSONParser.parse(Array(buffer: headBody))) } catch {
            throw SyncError.refused("\(peerName) sent an unreadable signed head: \(error)")
        }
        guard head.ledger == peerName, head.stream == stream else {
            throw SyncError.refused("\(peerName) sent the head of \(head.ledger) stream \(head.stream), not of \(peerName) stream \(stream)")
        }
        guard head.isValid(publicKeyHex: peer.publicKey) else {
            throw SyncError.refused("the signature of \(peerName)'s head (streamSeq \(head.streamSeq)) does not verify with the pinned public key \(peer.publicKey.prefix(16))…; nothing was mirrored")
        }
        if head.streamSeq < mirrored.streamSeq {
            metrics?.peerLag(peerName).set(Int64(0))
            throw SyncError.refused("\(peerName) changed its history: its signed head is at streamSeq \(head.streamSeq), but \(mirrored.streamSeq) records were mirrored before")
        }
        if head.streamSeq == mirrored.streamSeq {
            guard head.hash == mirrored.hash, head.seq == mirrored.seq else {
                throw SyncError.refused("\(peerName) changed its history: its signed head at streamSeq \(head.streamSeq) differs from the mirrored record")
            }
            try store([], head, in: mirror)
            return SyncReport(peer: peerName, added: 0, head: head, mirrorDirectory: mirrorDirectory)
        }
        metrics?.peerLag(peerName).set(Int64(head.streamSeq - mirrored.streamSeq))

        // 2. The records, from the last mirrored one (fetched again to compare) to the head.
        var checker = ChainChecker(expectedLedger: peerName)
        let last = mirrored.streamSeq > 0 ? try mirror.record(streamSeq: mirrored.streamSeq) : nil
        if let last { _ = checker.check(last, computedHash: last.computeHash()) }
        var after: UInt64 = last.map { $0.seq - 1 } ?? 0
        var batch: [Record] = []
        var sawLast = last == nil
        var reachedHead = false
        while !reachedHead {
            let body = try await get("/v1/events?stream=\(stream)&after=\(after)&limit=\(pageSize)")
            var count = 0
            var failure: SyncError?
            body.withUnsafeReadableBytes { bytes in
                var start = 0
                for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
                    defer { start = i + 1 }
                    guard failure == nil, !reachedHead, i > start else { continue }
                    count += 1
                    let record: Record
                    do { record = try Record(line: UnsafeRawBufferPointer(rebasing: bytes[start..<i])) } catch {
                        failure = .refused("\(peerName) sent an unreadable record: \(error)")
                        continue
                    }
                    if record.seq > head.seq { reachedHead = true; continue }
                    after = record.seq
                    if !sawLast, let last {
                        guard record.streamSeq == last.streamSeq, record.seq == last.seq, record.hash == last.hash,
                              record.canonicalLine == last.canonicalLine else {
                            failure = .refused("\(peerName) changed its history: its record at streamSeq \(last.streamSeq) (seq \(last.seq)) differs from the mirrored one")
                            continue
                        }
                        sawLast = true
                        continue
                    }
                    guard record.stream == stream else {
                        failure = .refused("\(peerName) sent record \(record.seq) of stream \(record.stream) when asked for stream \(stream)")
                        continue
                    }
                    if last == nil, batch.isEmpty, record.streamSeq != 1 {
                        failure = .refused("\(peerName)'s stream starts at streamSeq \(record.streamSeq), not 1: records are missing")
                        continue
                    }
                    guard checker.check(record, computedHash: record.computeHash()) else {
                        failure = .refused("\(peerName) changed its history or sent altered records: \(checker.result.failure ?? "")")
                        continue
                    }
                    batch.append(record)
                    if record.seq == head.seq { reachedHead = true }
                }
            }
            if let failure { throw failure }
            if !sawLast {
                throw SyncError.refused("\(peerName) changed its history: it no longer serves the mirrored record at streamSeq \(mirrored.streamSeq) (seq \(mirrored.seq))")
            }
            if count < pageSize { break }
        }

        // 3. The records must end at the signed head.
        guard let final = batch.last, final.streamSeq == head.streamSeq, final.seq == head.seq, final.hash == head.hash else {
            throw SyncError.refused("\(peerName)'s records do not end at its signed head (streamSeq \(head.streamSeq), seq \(head.seq)); its history is inconsistent")
        }
        // 4. Store, in one transaction.
        let added = try store(batch, head, in: mirror)
        return SyncReport(peer: peerName, added: added, head: head, mirrorDirectory: mirrorDirectory)
    }

    @discardableResult
    private func store(_ batch: [Record], _ head: SignedStreamHead, in mirror: MirrorStore) throws -> Int {
        do { return try mirror.append(batch, signedHead: head) } catch let error as MirrorError {
            throw SyncError.refused(error.description)
        }
    }

    private func get(_ pathAndQuery: String) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: peer.url + pathAndQuery)
        request.headers.add(name: "Authorization", value: "Bearer \(peer.token)")
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(120), logger: logger)
            body = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw SyncError.transport("cannot reach \(peer.ledger) at \(peer.url): \(error)")
        }
        guard response.status.code == 200 else {
            let detail = (try? JSONParser.parse(Array(buffer: body)))?.object?["detail"]?.string ?? response.status.reasonPhrase
            throw SyncError.peerAnswered(status: Int(response.status.code), detail)
        }
        return body
    }
}

extension PeerSyncer {
    /// One sync from `peer` with a client of its own (what `doppelledger sync` runs).
    public static func syncOnce(ledgerDirectory: String, ownLedger: LedgerName, peer: NodeConfig.Peer,
                                logger: Logger, metrics: NodeMetrics? = nil) async throws -> SyncReport {
        let client = try makeClient(for: peer)
        do {
            let report = try await PeerSyncer(ledgerDirectory: ledgerDirectory, ownLedger: ownLedger, peer: peer,
                                              client: client, logger: logger, metrics: metrics).sync()
            try? await client.shutdown()
            return report
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
