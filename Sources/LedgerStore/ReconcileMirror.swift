public import LedgerCore
import Foundation

/// Reconciles a node's own ledger with its mirror of the counterparty's stream (pulled by sync).
///
/// The mirror is written to a temporary export file and verified like any export; nothing of it
/// is trusted without that.
public func reconcileWithMirror(ledger: Ledger, mirrorDirectory: String, counterparty: LedgerName,
                                year: Int, quarter: Int, asOf: Timestamp?) throws -> Reconciliation {
    let file = try exportMirrorToTemporaryFile(mirrorDirectory)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let own = try ReconcileSource.open(ledger: ledger)
    let other = try ReconcileSource.open(file, policy: ledger.policy)
    let period = try ReconciliationPeriod(year: year, quarter: quarter, asOf: asOf)
    let (j, t) = ledger.name.side == .jugendamt ? (own, other) : (other, own)
    let jStream = "traeger:\(t.name.org)", tStream = "jugendamt:\(j.name.org)"
    return try Reconciler.reconcile(jugendamt: j.name, j.records(stream: jStream, asOf: asOf),
                                    traeger: t.name, t.records(stream: tStream, asOf: asOf), period: period)
}

/// Writes a mirror's records as an export file in the temporary folder; returns its path.
public func exportMirrorToTemporaryFile(_ mirrorDirectory: String) throws -> String {
    let mirror = try MirrorStore.open(at: mirrorDirectory)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("doppelledger-mirror-\(UUID().uuidString).jsonl").path
    guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
          let handle = FileHandle(forWritingAtPath: path) else {
        throw LedgerError.storage("cannot write a temporary export of the mirror \(mirrorDirectory)")
    }
    defer { try? handle.close() }
    _ = try mirror.export { bytes in handle.write(Data(bytes)) }
    return path
}
