import Tensor
import Plumbing

// Reading and writing Hugging Face's tokenizer.json for a byte-level BPE.
//
// What is supported is what Polyglot-Ko's file uses (and GPT-2's, and what `tokenizers` writes for a ByteLevel BPE):
//   normalizer       null
//   pre_tokenizer    ByteLevel, or a Sequence of Split (literal "String" pattern, not inverted) rules then ByteLevel
//   post_processor   null or ByteLevel (adds nothing to the ids)
//   decoder          ByteLevel
//   model            BPE: vocab, merges ("a b" strings or ["a", "b"] pairs), ignore_merges; no dropout, no
//                    continuing-subword prefix or end-of-word suffix, no byte_fallback
//   added_tokens     matched in the raw text; single_word / lstrip / rstrip must be false
//   truncation, padding   null
// Anything else is an error that names the file and the component: a tokenizer that silently skipped a step would
// give different ids than the model was trained with, and nothing downstream would notice.

public struct TokenizerFileError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var message: String
    public init(file: String, message: String) { self.file = file; self.message = message }
    public var description: String { "\(file): \(message)" }
}

extension BPETokenizer {
    public convenience init(contentsOf path: String) throws {
        let bytes = try FileIO.read(path)
        let json = try JSON.parse(bytes, file: path)
        try self.init(huggingFaceJSON: json, file: path)
    }

    /// Build from a parsed tokenizer.json. `file` names the source in errors.
    public convenience init(huggingFaceJSON json: JSON, file: String) throws {
        try self.init(parts: try TokenizerJSONReader(file: file).read(json), file: file)
    }

    /// This tokenizer as tokenizer.json, with the sections, keys and key order `tokenizers` writes.
    public func huggingFaceJSON() -> JSON {
        func byteLevelJSON(_ s: ByteLevelSettings) -> JSON {
            JSON(["type": "ByteLevel", "add_prefix_space": .bool(s.addPrefixSpace), "trim_offsets": .bool(s.trimOffsets),
                  "use_regex": .bool(s.useRegex)])
        }
        let added: [JSON] = addedTokens.map { token in
            JSON(["id": .number(Double(token.id)), "content": .string(token.content), "single_word": false,
                  "lstrip": false, "rstrip": false, "normalized": .bool(token.normalized), "special": .bool(token.special)])
        }
        var preTokenizerJSON = byteLevelJSON(preTokenizer.byteLevel)
        if !preTokenizer.splits.isEmpty {
            let splits: [JSON] = preTokenizer.splits.map { rule in
                JSON(["type": "Split", "pattern": JSON(["String": .string(rule.pattern)]),
                      "behavior": .string(rule.behavior.rawValue), "invert": false])
            }
            preTokenizerJSON = JSON(["type": "Sequence", "pretokenizers": .array(splits + [preTokenizerJSON])])
        }
        var vocab = JSONObject()
        for (token, id) in vocabulary.sorted(by: { $0.value < $1.value }) { vocab[token] = .number(Double(id)) }
        let mergesJSON: [JSON] = merges.map { pair in
            .array([.string(tokenText[Int(pair.0)] ?? ""), .string(tokenText[Int(pair.1)] ?? "")])
        }
        let model = JSON(["type": "BPE", "dropout": nil, "unk_token": unknownToken.map { .string($0) } ?? .null,
                          "continuing_subword_prefix": nil, "end_of_word_suffix": nil, "fuse_unk": .bool(fuseUnknown),
                          "byte_fallback": false, "ignore_merges": .bool(ignoreMerges), "vocab": .object(vocab),
                          "merges": .array(mergesJSON)])
        return JSON(["version": "1.0", "truncation": nil, "padding": nil, "added_tokens": .array(added),
                     "normalizer": nil, "pre_tokenizer": preTokenizerJSON,
                     "post_processor": postProcessor.map(byteLevelJSON) ?? .null,
                     "decoder": byteLevelJSON(decoderSettings), "model": model])
    }

    /// Write tokenizer.json atomically (a reader never sees half a file): the same bytes `tokenizers` writes with
    /// `save(path, pretty=True)` for the same tokenizer, so a file that went through us is unchanged.
    public func save(to path: String) throws {
        try FileIO.writeAtomically(path, text: huggingFaceJSON().serialized(pretty: true))
    }
}

/// Reads the sections of a tokenizer.json into `BPETokenizer.Parts`, rejecting what is not supported.
struct TokenizerJSONReader {
    let file: String

    func fail(_ message: String) -> TokenizerFileError { TokenizerFileError(file: file, message: message) }

    func read(_ json: JSON) throws -> BPETokenizer.Parts {
        guard let root = json.object else { throw fail("the top level is not a JSON object") }
        let known: Set = ["version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer",
                          "post_processor", "decoder", "model"]
        if let extra = root.keys.first(where: { !known.contains($0) }) { throw fail("unknown section \"\(extra)\"") }
        for key in ["truncation", "padding", "normalizer"] {
            if let value = root[key], !value.isNull {
                throw fail("\(key) \(typeName(value)) is not supported (only null): it would change the ids")
            }
        }
        guard let model = root["model"] else { throw fail("\"model\" is missing") }
        var parts = try readModel(model)
        parts.addedTokens = try readAddedTokens(root["added_tokens"] ?? .array([]))
        guard let pre = root["pre_tokenizer"], !pre.isNull else {
            throw fail("pre_tokenizer is null; a byte-level BPE needs a ByteLevel pre-tokenizer")
        }
        parts.preTokenizer = try readPreTokenizer(pre)
        if let post = root["post_processor"], !post.isNull {
            parts.postProcessor = try readByteLevel(post, section: "post_processor")
        }
        guard let decoder = root["decoder"], !decoder.isNull else {
            throw fail("decoder is null; a byte-level BPE needs the ByteLevel decoder")
        }
        parts.decoder = try readByteLevel(decoder, section: "decoder")
        return parts
    }

    func typeName(_ value: JSON) -> String {
        if let type = value["type"]?.string { return "of type \"\(type)\"" }
        return "\(value.serialized().prefix(60))"
    }

    func readModel(_ json: JSON) throws -> BPETokenizer.Parts {
        guard let model = json.object else { throw fail("model is not an object") }
        guard let type = model["type"]?.string else { throw fail("model.type is missing") }
        guard type == "BPE" else { throw fail("model of type \"\(type)\" is not supported (only BPE)") }
        let known: Set = ["type", "dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk",
                          "byte_fallback", "ignore_merges", "vocab", "merges"]
        if let extra = model.keys.first(where: { !known.contains($0) }) { throw fail("model.\(extra) is not supported") }
        if let dropout = model["dropout"], !dropout.isNull, dropout.double != 0 {
            throw fail("model.dropout \(dropout.serialized()) is not supported (BPE dropout makes encoding random)")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[key], !value.isNull, value.string != "" { throw fail("model.\(key) is not supported") }
        }
        if model["byte_fallback"]?.bool == true { throw fail("model.byte_fallback is not supported") }

        guard let vocabObject = model["vocab"]?.object else { throw fail("model.vocab is missing or not an object") }
        var vocabulary: [(token: String, id: Int32)] = []
        vocabulary.reserveCapacity(vocabObject.count)
        for (token, value) in vocabObject.pairs {
            guard let id = value.int, (0..<(1 << 24)).contains(id) else {
                throw fail("model.vocab[\"\(token)\"]: \(value.serialized()) is not an id in 0..<16777216")
            }
            vocabulary.append((token, Int32(id)))
        }
        guard let mergeList = model["merges"]?.array else { throw fail("model.merges is missing or not an array") }
        var merges: [(String, String)] = []
        merges.reserveCapacity(mergeList.count)
        for (n, merge) in mergeList.enumerated() {
            if let text = merge.string {
                let halves = text.split(separator: " ", omittingEmptySubsequences: false)
                guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty else {
                    throw fail("model.merges[\(n)]: \"\(text)\" is not two tokens separated by one space")
                }
                merges.append((String(halves[0]), String(halves[1])))
            } else if let pair = merge.array, pair.count == 2, let a = pair[0].string, let b = pair[1].string {
                merges.append((a, b))
            } else {
                throw fail("model.merges[\(n)]: \(merge.serialized()) is neither \"a b\" nor [\"a\", \"b\"]")
            }
        }
        var parts = BPETokenizer.Parts(vocabulary: vocabulary, merges: merges, addedTokens: [],
                                       preTokenizer: .polyglotKo, postProcessor: nil,
                                       decoder: ByteLevelSettings(addPrefixSpace: true))
        parts.ignoreMerges = try flag(model, "ignore_merges", in: "model", default: false)
        parts.fuseUnknown = try flag(model, "fuse_unk", in: "model", default: false)
        if let unk = model["unk_token"], !unk.isNull {
            guard let s = unk.string else { throw fail("model.unk_token is not a string") }
            parts.unknownToken = s
        }
        return parts
    }

    func readAddedTokens(_ json: JSON) throws -> [AddedToken] {
        guard let list = json.array else { throw fail("added_tokens is not an array") }
        return try list.enumerated().map { n, entry in
            let at = "added_tokens[\(n)]"
            guard let object = entry.object else { throw fail("\(at) is not an object") }
            guard let id = object["id"]?.int, (0..<(1 << 24)).contains(id) else { throw fail("\(at).id is missing or not an id in 0..<16777216") }
            guard let content = object["content"]?.string, !content.isEmpty else { throw fail("\(at).content is missing or empty") }
            for key in ["single_word", "lstrip", "rstrip"] {
                if try flag(object, key, in: at, default: false) { throw fail("\(at) (\"\(content)\"): \(key) = true is not supported") }
            }
            return AddedToken(id: Int32(id), content: content, special: try flag(object, "special", in: at, default: false),
                              normalized: try flag(object, "normalized", in: at, default: false))
        }
    }

    func readPreTokenizer(_ json: JSON) throws -> PreTokenizer {
        var steps: [JSON] = []
        func flatten(_ step: JSON) throws {
            if step["type"]?.string == "Sequence" {
                guard let inner = step["pretokenizers"]?.array else { throw fail("pre_tokenizer: Sequence without \"pretokenizers\"") }
                for s in inner { try flatten(s) }
            } else {
                steps.append(step)
            }
        }
        try flatten(json)
        guard let last = steps.last, last["type"]?.string == "ByteLevel" else {
            throw fail("pre_tokenizer: the last step must be ByteLevel (found \(steps.last.map(typeName) ?? "none"))")
        }
        var splits: [SplitRule] = []
        for step in steps.dropLast() {
            guard step["type"]?.string == "Split" else {
                throw fail("pre_tokenizer: component \(typeName(step)) is not supported (only Split before ByteLevel)")
            }
            guard let pattern = step["pattern"]?["String"]?.string else {
                throw fail("pre_tokenizer: Split with pattern \(step["pattern"]?.serialized() ?? "missing") is not supported (only a literal \"String\")")
            }
            guard let name = step["behavior"]?.string, let behavior = SplitRule.Behavior(rawValue: name) else {
                throw fail("pre_tokenizer: Split behavior \(step["behavior"]?.serialized() ?? "missing") is not supported")
            }
            if step["invert"]?.bool == true { throw fail("pre_tokenizer: Split with invert = true is not supported") }
            splits.append(SplitRule(pattern: pattern, behavior: behavior))
        }
        return PreTokenizer(splits: splits, byteLevel: try readByteLevel(last, section: "pre_tokenizer"))
    }

    func readByteLevel(_ json: JSON, section: String) throws -> ByteLevelSettings {
        guard let object = json.object, object["type"]?.string == "ByteLevel" else {
            throw fail("\(section) \(typeName(json)) is not supported (only ByteLevel)")
        }
        return ByteLevelSettings(addPrefixSpace: try flag(object, "add_prefix_space", in: section, default: true),
                                 trimOffsets: try flag(object, "trim_offsets", in: section, default: true),
                                 useRegex: try flag(object, "use_regex", in: section, default: true))
    }

    func flag(_ object: JSONObject, _ key: String, in section: String, default value: Bool) throws -> Bool {
        guard let entry = object[key] else { return value }
        guard let b = entry.bool else { throw fail("\(section).\(key) is not true or false") }
        return b
    }
}
