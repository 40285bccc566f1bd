import AsyncHTTPClient
import Foundation
import LedgerCore
import LedgerStore
import NIOCore
import Testing
@testable import LedgerNode

/// A self-signed certificate for 127.0.0.1 (valid until 2126) and its key: test material only.
enum TestCertificate {
    static let certificate = """
-----BEGIN CERTIFICATE-----
MIIBtDCCAVugAwIBAgIUZs1XsOIJGnARtLJfxmE6jmyRmcwwCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWZG9wcGVsbGVkZ2VyIHRlc3Qgbm9kZTAgFw0yNjExMjUxMTU3
NTRaGA8yMTI2MTEwMTExNTc1NFowITEfMB0GA1UEAwwWZG9wcGVsbGVkZ2VyIHRl
c3Qgbm9kZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNGnb5dLMnjUABJW3/sN
rHuuSAbb4f5SGmu0wp8PYykjWJBzgZKhHI9Xq4chnhudVbKbEzZ1/QyyuZw3h5+D
TKujbzBtMB0GA1UdDgQWBBTZVZa/U35bul3llODkzc+Zp2UQXzAfBgNVHSMEGDAW
gBTZVZa/U35bul3llODkzc+Zp2UQXzAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQT
MBGHBH8AAAGCCWxvY2FsaG9zdDAKBggqhkjOPQQDAgNHADBEAiBer+/6Kfsf7HSQ
SoWGTEWkD+FiuLhakCeC/3cv4JO81AIgD61YHXXqGDsC5mC07WOCnDLiOTQPVjII
PN/bkRe4mwY=
-----END CERTIFICATE-----
"""
    static let privateKey = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+r+RxsAWj+MuPLsO
3SdMj8au5j0V13jr1ISJ6v1WZnWhRANCAATRp2+XSzJ41AASVt/7Dax7rkgG2+H+
UhprtMKfD2MpI1iQc4GSoRyPV6uHIZ4bnVWymxM2df0MsrmcN4efg0yr
-----END PRIVATE KEY-----
"""

    /// Writes both to `dir`; returns their paths.
    static func write(to dir: String) throws -> (certificate: String, privateKey: String) {
        let paths = (dir + "/cert.pem", dir + "/key.pem")
        try certificate.write(toFile: paths.0, atomically: true, encoding: .utf8)
        try privateKey.write(toFile: paths.1, atomically: true, encoding: .utf8)
        return paths
    }
}

@Suite struct TLSTests {
    @Test func syncOverTLSTrustsOnlyThePinnedCA() async throws {
        let dir = Fixture.tempDirectory()
        defer { Fixture.cleanUp(dir) }
        let ja = try Fixture.jugendamt(in: dir)
        let tc = try Fixture.traeger(in: dir)
        _ = try tc.append(Fixture.events([Fixture.prevention(key: "p-1", booking: "p-1")]))
        let files = try TestCertificate.write(to: dir)
        var config = Fixture.traegerConfig()
        config.tls = .init(certificate: files.certificate, privateKey: files.privateKey)
        try await Fixture.withLiveNode(try Fixture.node(tc, config)) { url in
            let https = url.replacingOccurrences(of: "http://", with: "https://")
            var peer = NodeConfig.Peer(ledger: tc.name, url: https, token: Fixture.jugendamtOnCaritas, publicKey: tc.publicKeyHex)
            // Without the node's CA the certificate is not trusted: nothing is fetched.
            let client = try PeerSyncer.makeClient(for: peer, connectTimeout: .milliseconds(300))
            await #expect(throws: SyncError.self) {
                try await PeerSyncer(ledgerDirectory: ja.directory, ownLedger: ja.name, peer: peer, client: client,
                                     logger: NodeProcess.silentLogger).sync()
            }
            try await client.shutdown()
            peer.caCertificate = files.certificate
            let report = try await PeerSyncer.syncOnce(ledgerDirectory: ja.directory, ownLedger: ja.name, peer: peer, logger: NodeProcess.silentLogger)
            #expect(report.added == 1)
        }
    }
}
