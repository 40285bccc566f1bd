import Foundation
import Testing
import LedgerCore

/// The JSON Schemas in Schemas/ and the Swift event types must describe the same events.
@Suite struct SchemaDrift {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func load(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The common definition a field kind must reference, or the inline constraints it must have.
    static func expectedDefinition(_ kind: FieldKind) -> String? {
        switch kind {
        case .id: "id"
        case .date: "date"
        case .cents: "cents"
        case .minutes: "minutes"
        case .year: "year"
        case .quarter: "quarter"
        case .sozialraum: "sozialraum"
        case .hilfeart: "hilfeart"
        case .funding: "funding"
        case .ledgerName: "ledgerName"
        case .hex64: "hash"
        case .head: "head"
        default: nil
        }
    }

    @Test(arguments: EventType.allCases)
    func schemaMatchesTheSwiftType(type: EventType) throws {
        let schema = try Self.load("Schemas/events/\(type.rawValue).schema.json")
        let common = try Self.load("Schemas/common.schema.json")
        let defs = try #require(common["$defs"] as? [String: [String: Any]])
        let properties = try #require(schema["properties"] as? [String: [String: Any]])
        let required = Set(schema["required"] as? [String] ?? [])
        #expect(schema["additionalProperties"] as? Bool == false)
        #expect(Set(properties.keys) == Set(type.fields.map(\.name) + ["jugendamt"]), "fields of \(type.rawValue)")
        #expect(required == Set(type.fields.filter(\.required).map(\.name)), "required fields of \(type.rawValue)")
        for field in type.fields {
            let property = try #require(properties[field.name])
            var resolved = property
            if let ref = property["$ref"] as? String {
                let name = String(ref.split(separator: "/").last!)
                #expect(name == Self.expectedDefinition(field.kind), "\(type.rawValue).\(field.name) refers to \(name)")
                resolved = try #require(defs[name])
            } else {
                #expect(Self.expectedDefinition(field.kind) == nil, "\(type.rawValue).\(field.name) should use the common definition")
            }
            if let allowed = field.kind.allowedValues {
                #expect((resolved["enum"] as? [String]).map(Set.init) == Set(allowed), "\(type.rawValue).\(field.name) values")
            }
            if let range = field.kind.range {
                #expect((resolved["minimum"] as? NSNumber)?.int64Value == range.lowerBound, "\(type.rawValue).\(field.name) minimum")
                if range.upperBound < Int64.max {
                    #expect((resolved["maximum"] as? NSNumber)?.int64Value == range.upperBound, "\(type.rawValue).\(field.name) maximum")
                }
            }
        }
    }

    @Test func everyValidExampleIsAcceptedAndEveryInvalidOneRefusedBySwift() throws {
        let fm = FileManager.default
        for type in EventType.allCases {
            let folder = Self.root.appendingPathComponent("Schemas/examples/\(type.rawValue)")
            for file in try fm.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".json") {
                let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(file)))
                let decoded: Result<DomainEvent, ValidationError>
                do {
                    guard case .object(let data) = try JSONParser.parse(bytes) else { Issue.record("\(file) is no object"); continue }
                    decoded = Result { () throws(ValidationError) in try DomainEvent(type: type.rawValue, data: data) }
                } catch {
                    decoded = .failure(ValidationError(field: "", "\(error)"))
                }
                if file.hasPrefix("valid") {
                    #expect((try? decoded.get()) != nil, "\(type.rawValue)/\(file) should be accepted")
                } else {
                    #expect((try? decoded.get()) == nil, "\(type.rawValue)/\(file) should be refused")
                }
            }
        }
    }
}
