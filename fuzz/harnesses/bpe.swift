// BPE encoding and decoding of arbitrary bytes with real tokenizers (the test fixture trained by Hugging Face
// `tokenizers` with Polyglot-Ko's layout, and three variants of its pre-tokenizer). Properties:
//   - bytes that are valid UTF-8 come back byte for byte from decode(encode(text)) — less the "ೱ" (U+0CF1) that
//     Polyglot-Ko's pre-tokenizer removes, when that rule is on;
//   - bytes that are not valid UTF-8 (repaired to U+FFFD when made into a String) round-trip as the repaired text;
//   - the bytes read as ids (any Int32: negative, unknown, special) decode without trapping, and the text they decode
//     to round-trips in turn.
// The first byte picks the tokenizer; the rest is the text.
import Repro
import Tensor
import Plumbing

let tokenizers: [(tokenizer: BPETokenizer, removesKannadaSign: Bool)] = {
    let path = repositoryFile("Tests/TokenizerTests/Fixtures/trained_polyglot_layout.json")
    do {
        let json = try JSON.parse(try FileIO.read(path), file: path)
        func variant(_ preTokenizer: JSON) throws -> BPETokenizer {
            guard case .object(var root) = json else { violated("fixture is not an object") }
            root["pre_tokenizer"] = preTokenizer
            return try BPETokenizer(huggingFaceJSON: .object(root), file: path)
        }
        func byteLevel(prefixSpace: Bool, regex: Bool) -> JSON {
            JSON(["type": "ByteLevel", "add_prefix_space": .bool(prefixSpace), "trim_offsets": true, "use_regex": .bool(regex)])
        }
        let isolateComma = JSON(["type": "Split", "pattern": JSON(["String": ","]), "behavior": "Isolated", "invert": false])
        return [(try BPETokenizer(huggingFaceJSON: json, file: path), true),
                (try variant(byteLevel(prefixSpace: true, regex: true)), false),
                (try variant(byteLevel(prefixSpace: false, regex: false)), false),
                (try variant(JSON(["type": "Sequence", "pretokenizers": [isolateComma, byteLevel(prefixSpace: false, regex: true)]])), false)]
    } catch {
        violated("cannot load the tokenizer fixture \(path): \(error)")
    }
}()

/// What decode(encode(text)) must give, computed independently of the tokenizer's code: the text's UTF-8, less every
/// U+0CF1 (E0 B3 B1) when the tokenizer removes it; with add_prefix_space, a space before every stretch between added
/// tokens that does not start with one (decoding keeps the space the pre-tokenizer added).
func expectedRoundTrip(_ utf8: [UInt8], _ tokenizer: BPETokenizer, removesKannadaSign: Bool) -> [UInt8] {
    var text = utf8
    if removesKannadaSign {
        text = []
        var i = 0
        while i < utf8.count {
            if i + 2 < utf8.count, utf8[i] == 0xE0, utf8[i + 1] == 0xB3, utf8[i + 2] == 0xB1 { i += 3; continue }
            text.append(utf8[i]); i += 1
        }
    }
    guard tokenizer.preTokenizer.byteLevel.addPrefixSpace else { return text }
    // Added tokens are matched first, longest at each position, scanning left to right.
    let added = tokenizer.addedTokens.map { Array($0.content.utf8) }.sorted { $0.count > $1.count }
    var out: [UInt8] = [], stretch: [UInt8] = []
    func flush() {
        if let first = stretch.first, first != 0x20 { out.append(0x20) }
        out += stretch; stretch = []
    }
    var i = 0
    while i < text.count {
        if let token = added.first(where: { !$0.isEmpty && i + $0.count <= text.count && Array(text[i..<(i + $0.count)]) == $0 }) {
            flush(); out += token; i += token.count
        } else {
            stretch.append(text[i]); i += 1
        }
    }
    flush()
    return out
}

func checkRoundTrip(_ text: String, _ choice: Int) {
    let (tokenizer, removes) = tokenizers[choice]
    let ids = tokenizer.encode(text)
    for id in ids where id < 0 || Int(id) >= tokenizer.vocabularySize { violated("encode gave id \(id)") }
    let decoded = Array(tokenizer.decode(ids).utf8)
    let expected = expectedRoundTrip(Array(text.utf8), tokenizer, removesKannadaSign: removes)
    if decoded != expected {
        violated("tokenizer \(choice): decode(encode(text)) differs: \(Array(text.utf8)) → \(ids) → \(decoded), expected \(expected)")
    }
}

func fuzzOne(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let choice = Int(first) % tokenizers.count
    let body = Array(bytes.dropFirst())
    let text = String(decoding: body, as: UTF8.self)        // invalid UTF-8 becomes U+FFFD here
    if String(validating: body, as: UTF8.self) != nil, Array(text.utf8) != body { violated("valid UTF-8 changed in String") }
    checkRoundTrip(text, choice)

    // The bytes as ids, little-endian Int32 (anything at all), and as small ids (mostly real tokens).
    let tokenizer = tokenizers[choice].tokenizer
    var wide: [Int32] = [], narrow: [Int32] = []
    for i in stride(from: 0, to: body.count - 3, by: 4) {
        wide.append(Int32(bitPattern: UInt32(body[i]) | UInt32(body[i + 1]) << 8 | UInt32(body[i + 2]) << 16 | UInt32(body[i + 3]) << 24))
    }
    for i in stride(from: 0, to: body.count - 1, by: 2) {
        narrow.append(Int32((Int(body[i]) | Int(body[i + 1]) << 8) % (tokenizer.vocabularySize + 8)))
    }
    for ids in [wide, narrow] {
        let decoded = tokenizer.decode(ids)
        _ = tokenizer.decode(ids, skipSpecialTokens: true)
        checkRoundTrip(decoded, choice)
    }
}
