// swift-tools-version: 6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "doppelledger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "doppelledger", targets: ["doppelledger"]),
        .library(name: "LedgerStore", targets: ["LedgerStore"]),
        .executable(name: "doppelledger-gen", targets: ["doppelledger-gen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // LMDB from Debian's liblmdb-dev; only the LMDB target imports it.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        // A small, generic, safe wrapper over LMDB. Knows nothing of ledgers.
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        // The pure domain: JSON, canonical encoding, records, events, rules. No I/O.
        .target(name: "LedgerCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The log on LMDB: chains, idempotency, state, views.
        .target(name: "LedgerStore", dependencies: [
            "LMDB", "LedgerCore",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // A realistic, seeded Landkreis for the demo, tests and benchmarks. Pure, no I/O.
        .target(name: "LedgerGen", dependencies: ["LedgerCore"]),
        // The generator as a tool: writes import files per ledger.
        .executableTarget(name: "doppelledger-gen", dependencies: [
            "LedgerGen", "LedgerCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tools/Generate"),
        // The command line: thin glue.
        .executableTarget(name: "doppelledger", dependencies: [
            "LedgerStore", "LedgerCore", "LedgerGen",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"]),
        .testTarget(name: "LedgerCoreTests", dependencies: ["LedgerCore"]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["LedgerStore", "LedgerCore", "LMDB"]),
        .testTarget(name: "CLITests", dependencies: ["LedgerCore"]),
        .testTarget(name: "LedgerGenTests", dependencies: ["LedgerGen", "LedgerStore", "LedgerCore"]),
        .testTarget(name: "ReconcileTests", dependencies: ["LedgerStore", "LedgerCore"]),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + upcoming
}
