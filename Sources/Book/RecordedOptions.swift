// What a chapter records of its command line: every option, read off the parsed command itself, so that no option
// can be forgotten. The manifest compares these between runs, so a changed option always makes the chapter run again.
import ArgumentParser
import Plumbing

/// A chapter's command. `runControl` names the options (by property name) that steer a run without changing what it
/// computes — resuming, stopping early, fetching — and so are not recorded: a finished run is reused whatever they
/// were. Every other option is recorded.
public protocol ChapterCommand: ParsableCommand {
    static var chapter: Chapter { get }
    var common: CommonOptions { get }
    static var runControl: Set<String> { get }
}

extension ChapterCommand {
    public static var runControl: Set<String> { [] }

    /// The command line is the chapter's executable, its help the chapter's abstract.
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: chapter.executable, abstract: chapter.abstract)
    }

    /// Every option of this command with its parsed value, by property name in snake_case (`learningRates` →
    /// "learning_rates"), the common options first.
    public var recordedOptions: JSONObject {
        var recorded = common.json.object ?? JSONObject()
        for (name, value) in RecordedOptions.parsedValues(of: self) where name != "common" && !Self.runControl.contains(name) {
            recorded[RecordedOptions.snakeCase(name)] = RecordedOptions.json(value)
        }
        return recorded
    }
}

public enum RecordedOptions {
    /// The properties of a parsed command that ArgumentParser fills (@Option, @Flag, @Argument, @OptionGroup), with
    /// their values. Each wrapper keeps what was parsed in an enum case `.value(v)` (`_parsedValue`), read here by
    /// reflection: the names come from the command's own declarations, so a new option is recorded the day it is added.
    public static func parsedValues(of command: Any) -> [(name: String, value: Any)] {
        Mirror(reflecting: command).children.compactMap { child in
            guard let label = child.label, label.hasPrefix("_") else { return nil }
            let wrapper = Mirror(reflecting: child.value)
            guard let parsed = wrapper.children.first(where: { $0.label == "_parsedValue" })?.value else { return nil }
            let cases = Mirror(reflecting: parsed)
            guard cases.displayStyle == .enum, let value = cases.children.first?.value else { return nil }
            return (String(label.dropFirst()), value)
        }
    }

    /// An option's value as JSON: numbers, strings, flags, enums by their raw value, optionals as null.
    public static func json(_ value: Any) -> JSON {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first.map { json($0.value) } ?? .null }
        switch value {
        case let v as Bool: return .bool(v)
        case let v as Int: return .number(Double(v))
        case let v as UInt64: return .number(Double(v))
        case let v as Double: return .number(v)
        case let v as Float: return .number(Double(v))
        case let v as String: return .string(v)
        case let v as any RawRepresentable: return json(v.rawValue)
        case let v as [Any]: return .array(v.map(json))
        default: return .string(String(describing: value))
        }
    }

    /// "learningRates" → "learning_rates", "noEOS" → "no_eos".
    public static func snakeCase(_ name: String) -> String {
        var out = ""
        let characters = Array(name)
        for (i, c) in characters.enumerated() {
            // A capital starts a word unless it continues a run of capitals (EOS in noEOS).
            if c.isUppercase && i > 0 && !(characters[i - 1].isUppercase && (i + 1 == characters.count || characters[i + 1].isUppercase)) {
                out += "_"
            }
            out += c.lowercased()
        }
        return out
    }
}
