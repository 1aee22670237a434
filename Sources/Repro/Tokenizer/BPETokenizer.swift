import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A byte-level BPE tokenizer that gives exactly the ids Hugging Face `tokenizers` gives for the same tokenizer.json.
//
//   let tokenizer = try BPETokenizer(contentsOf: "polyglot-ko-1.3b/tokenizer.json")   // or .train(texts:...)
//   let ids = tokenizer.encode("안녕하세요<|endoftext|>")                              // [Int32]
//   tokenizer.decode(ids) == "안녕하세요<|endoftext|>"                                  // true
//   try tokenizer.save(to: "run/tokenizer.json")                                      // loadable by `tokenizers`
//
// API
//   init(contentsOf:), init(huggingFaceJSON:file:)   load (TokenizerFile.swift); unsupported parts are errors
//   train(texts:vocabSize:specialTokens:preTokenizer:)  learn merges (BPETrainer.swift)
//   encode(_:) -> [Int32]                             added tokens in the text are matched as such, never split
//   decode(_:skipSpecialTokens:) -> String           ids whose bytes are not valid UTF-8 give U+FFFD, unknown ids
//                                                      are skipped (both as `tokenizers` does)
//   vocabularySize, id(of:), token(of:), endOfText   lookups
//   huggingFaceJSON(), save(to:)                      write tokenizer.json (atomically)
//
// How encoding works: Segmenter (PreTokenizer.swift) cuts the text into added tokens and words; each word starts as
// its UTF-8 bytes, one base symbol per byte, and the BPE model repeatedly merges the adjacent pair with the lowest
// rank (the earliest learned merge; the leftmost one on a tie) until no adjacent pair has a merge. Words repeat a lot
// in text, so each word's result is cached. Safe to share between threads: the cache is behind a lock.

public final class BPETokenizer {
    /// The BPE model's vocabulary, token text (byte-level stand-in characters) → id. (String keys are safe here:
    /// Swift compares strings up to canonical equivalence, but no two strings of stand-in characters are equivalent.
    /// Raw text is another matter: words are looked up by their bytes, never as String.)
    public let vocabulary: [String: Int32]
    /// Merges in rank order: merge r joins tokens `merges[r].0` and `merges[r].1`.
    public let merges: [(Int32, Int32)]
    public let addedTokens: [AddedToken]
    public let preTokenizer: PreTokenizer
    /// The `post_processor` and `decoder` sections; ByteLevel in both adds nothing to the ids and changes nothing in
    /// decoding here (their flags only move offsets). Kept to write the file back.
    public let postProcessor: ByteLevelSettings?
    public let decoderSettings: ByteLevelSettings
    /// Hugging Face's `ignore_merges`: a word that is itself in the vocabulary becomes that one token.
    public let ignoreMerges: Bool
    /// Preserved as read (byte-level BPE never needs an unknown token when all 256 byte symbols exist).
    let unknownToken: String?
    let fuseUnknown: Bool

    /// The id of each byte's base symbol.
    let byteIds: [Int32]
    /// (left id, right id) packed in 64 bits → (rank << 32 | merged id).
    let mergeTable: PairTable
    /// Per id: the text of the token and the bytes it decodes to (nil for ids no token has).
    let tokenText: [String?]
    let tokenBytes: [[UInt8]?]
    let isSpecial: [Bool]
    let segmenter: Segmenter
    let wordsInVocabulary: [[UInt8]: Int32]      // only filled when `ignoreMerges`
    let cache = WordCache()

    public let endOfText: Int32

    /// One more than the largest id: the rows a model's embedding needs (Polyglot-Ko: 30,003).
    public var vocabularySize: Int { tokenText.count }

    /// The id of a token written as in tokenizer.json (added tokens as their text, others in byte-level form).
    public func id(of token: String) -> Int32? {
        if let added = addedTokens.first(where: { $0.content == token }) { return added.id }
        return vocabulary[token]
    }

    /// The token text of an id, as tokenizer.json writes it.
    public func token(of id: Int32) -> String? {
        guard id >= 0, Int(id) < tokenText.count else { return nil }
        return tokenText[Int(id)]
    }

    // MARK: Building

    /// Everything a tokenizer.json describes, before it is checked.
    struct Parts {
        var vocabulary: [(token: String, id: Int32)]
        var merges: [(String, String)]
        var addedTokens: [AddedToken]
        var preTokenizer: PreTokenizer
        var postProcessor: ByteLevelSettings?
        var decoder: ByteLevelSettings
        var ignoreMerges = false
        var unknownToken: String? = nil
        var fuseUnknown = false
    }

    /// Checks the parts and builds the lookup tables. `file` only labels errors.
    init(parts: Parts, file: String) throws {
        func fail(_ message: String) -> TokenizerFileError { TokenizerFileError(file: file, message: message) }

        var vocabulary: [String: Int32] = [:]
        var largest: Int32 = -1
        for (token, id) in parts.vocabulary {
            if vocabulary.updateValue(id, forKey: token) != nil { throw fail("model.vocab: token \"\(token)\" appears twice") }
            largest = max(largest, id)
        }
        for added in parts.addedTokens { largest = max(largest, added.id) }
        // The lookup tables have one row per id up to the largest: a file of a few tokens naming id 16,777,215 would
        // make them 16.7M rows (about 400 MB). Real vocabularies number their tokens densely; allow holes, not a desert.
        let tokenCount = parts.vocabulary.count + parts.addedTokens.count
        guard Int(largest) < 2 * tokenCount + 256 else {
            throw fail("id \(largest) is far beyond the \(tokenCount) tokens of the file (ids must be below \(2 * tokenCount + 256))")
        }
        var text = [String?](repeating: nil, count: Int(largest) + 1)
        var bytes = [[UInt8]?](repeating: nil, count: Int(largest) + 1)
        var special = [Bool](repeating: false, count: Int(largest) + 1)
        for (token, id) in parts.vocabulary {
            if let other = text[Int(id)] { throw fail("model.vocab: tokens \"\(other)\" and \"\(token)\" share id \(id)") }
            text[Int(id)] = token
            // As the ByteLevel decoder does: a token with a character outside the byte table decodes as its UTF-8.
            bytes[Int(id)] = ByteLevelAlphabet.bytes(of: token) ?? Array(token.utf8)
        }
        for added in parts.addedTokens {
            if let modelId = vocabulary[added.content], modelId != added.id {
                throw fail("added_tokens: \"\(added.content)\" has id \(added.id) but model.vocab gives it \(modelId)")
            }
            if let other = text[Int(added.id)], other != added.content {
                throw fail("added_tokens: \"\(added.content)\" and \"\(other)\" share id \(added.id)")
            }
            text[Int(added.id)] = added.content
            bytes[Int(added.id)] = Array(added.content.utf8)
            special[Int(added.id)] = added.special
        }

        var byteIds = [Int32](repeating: 0, count: 256)
        for byte in 0..<256 {
            let symbol = String(ByteLevelAlphabet.characterForByte[byte])
            guard let id = vocabulary[symbol] else {
                throw fail("model.vocab lacks \"\(symbol)\", the symbol of byte 0x\(String(byte, radix: 16)); a byte-level BPE needs all 256")
            }
            byteIds[byte] = id
        }

        let (merges, mergeTable) = try BPETokenizer.rankedMerges(parts.merges, vocabulary: vocabulary, fail: fail)
        self.merges = merges
        self.mergeTable = PairTable(mergeTable)

        guard let endOfText = parts.addedTokens.first(where: { $0.content == "<|endoftext|>" })?.id
                ?? vocabulary["<|endoftext|>"] else {
            throw fail("no \"<|endoftext|>\" token: Polyglot-Ko's end-of-text token is required")
        }
        self.endOfText = endOfText
        self.vocabulary = vocabulary
        self.addedTokens = parts.addedTokens.sorted { $0.id < $1.id }
        self.preTokenizer = parts.preTokenizer
        self.postProcessor = parts.postProcessor
        self.decoderSettings = parts.decoder
        self.ignoreMerges = parts.ignoreMerges
        self.unknownToken = parts.unknownToken
        self.fuseUnknown = parts.fuseUnknown
        self.byteIds = byteIds
        self.tokenText = text
        self.tokenBytes = bytes
        self.isSpecial = special
        self.segmenter = Segmenter(preTokenizer: parts.preTokenizer, addedTokens: parts.addedTokens)
        var whole: [[UInt8]: Int32] = [:]
        if parts.ignoreMerges {
            for (token, id) in vocabulary { if let b = ByteLevelAlphabet.bytes(of: token) { whole[b] = id } }
        }
        self.wordsInVocabulary = whole
    }

    /// The merges as id pairs with their ranks. Every token they name must be in the vocabulary, results included.
    /// As in `tokenizers`, a pair listed twice keeps its later place; `merges` keeps only that place, so that writing
    /// the file and reading it back gives the same ranks.
    static func rankedMerges(_ listed: [(String, String)], vocabulary: [String: Int32],
                             fail: (String) -> TokenizerFileError) throws -> (merges: [(Int32, Int32)], table: [UInt64: UInt64]) {
        var resolved: [(left: Int32, right: Int32, merged: Int32)] = []
        for (rank, (left, right)) in listed.enumerated() {
            guard let a = vocabulary[left] else { throw fail("model.merges[\(rank)] (\"\(left) \(right)\"): \"\(left)\" is not in model.vocab") }
            guard let b = vocabulary[right] else { throw fail("model.merges[\(rank)] (\"\(left) \(right)\"): \"\(right)\" is not in model.vocab") }
            guard let merged = vocabulary[left + right] else {
                throw fail("model.merges[\(rank)] (\"\(left) \(right)\"): the result \"\(left + right)\" is not in model.vocab")
            }
            resolved.append((a, b, merged))
        }
        var lastPlace: [UInt64: Int] = [:]
        for (place, m) in resolved.enumerated() { lastPlace[pairKey(m.left, m.right)] = place }
        var table: [UInt64: UInt64] = [:]
        var merges: [(Int32, Int32)] = []
        for (place, m) in resolved.enumerated() where lastPlace[pairKey(m.left, m.right)] == place {
            table[pairKey(m.left, m.right)] = UInt64(merges.count) << 32 | UInt64(UInt32(bitPattern: m.merged))
            merges.append((m.left, m.right))
        }
        return (merges, table)
    }

    @inline(__always)
    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    // MARK: Encoding

    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3 + 1)
        var scratch: [UInt8] = []
        var symbols: [Int32] = [], ranks: [UInt32] = []
        var text = text
        text.withUTF8 { utf8 in
            segmenter.forEachPiece(utf8, scratch: &scratch, added: { ids.append($0) }) { buffer, start, end in
                encodeWord(UnsafeBufferPointer(rebasing: buffer[start..<end]), into: &ids, &symbols, &ranks)
            }
        }
        return ids
    }

    /// BPE on one word's bytes, appending its ids.
    func encodeWord(_ word: UnsafeBufferPointer<UInt8>, into ids: inout [Int32], _ symbols: inout [Int32],
                    _ ranks: inout [UInt32]) {
        if word.count <= 1 { if let b = word.first { ids.append(byteIds[Int(b)]) }; return }
        if ignoreMerges, let id = wordsInVocabulary[Array(word)] { ids.append(id); return }
        let key = WordKey(word)
        if let key, let cached = cache.lookUp(key) { ids.append(contentsOf: cached); return }

        symbols.removeAll(keepingCapacity: true)
        for b in word { symbols.append(byteIds[Int(b)]) }
        ranks.removeAll(keepingCapacity: true)
        for i in 0..<(symbols.count - 1) { ranks.append(rank(symbols[i], symbols[i + 1])) }
        while !ranks.isEmpty {
            // The lowest rank wins; `<` keeps the leftmost of equal ranks (the same pair twice).
            var best = 0
            for i in 1..<ranks.count where ranks[i] < ranks[best] { best = i }
            if ranks[best] == UInt32.max { break }
            let packed = mergeTable.value(BPETokenizer.pairKey(symbols[best], symbols[best + 1])) ?? 0
            symbols[best] = Int32(truncatingIfNeeded: packed & 0xFFFF_FFFF)
            symbols.remove(at: best + 1)
            ranks.remove(at: best)
            if best > 0 { ranks[best - 1] = rank(symbols[best - 1], symbols[best]) }
            if best < ranks.count { ranks[best] = rank(symbols[best], symbols[best + 1]) }
        }
        ids.append(contentsOf: symbols)
        if let key { cache.store(key, symbols) }
    }

    @inline(__always)
    func rank(_ a: Int32, _ b: Int32) -> UInt32 {
        guard let packed = mergeTable.value(BPETokenizer.pairKey(a, b)) else { return UInt32.max }
        return UInt32(truncatingIfNeeded: packed >> 32)
    }

    // MARK: Decoding

    /// The text of `ids`: each token's bytes, joined, read as UTF-8. Bytes that do not form valid UTF-8 (a sequence
    /// cut in the middle of a character) become U+FFFD, as Rust's `from_utf8_lossy` in `tokenizers` does; ids that
    /// no token has are skipped, as `tokenizers` skips them.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 3)
        for id in ids where id >= 0 && Int(id) < tokenBytes.count {
            if skipSpecialTokens && isSpecial[Int(id)] { continue }
            if let b = tokenBytes[Int(id)] { bytes.append(contentsOf: b) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

// MARK: - Lookup tables

/// An open-addressing hash table from a pair of ids (packed in 64 bits) to a 64-bit value. The merge lookup is the
/// innermost step of encoding a new word; Swift's Dictionary hashes with SipHash, several times slower than this
/// multiply-and-shift hash with linear probing. Filled once, then only read.
struct PairTable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private let shift: UInt64
    private static let empty = UInt64.max          // never a key: ids are below 2²⁴

    init(_ entries: [UInt64: UInt64]) {
        var bits: UInt64 = 4
        while (1 << bits) < 2 * entries.count + 1 { bits += 1 }
        shift = 64 - bits
        keys = [UInt64](repeating: PairTable.empty, count: 1 << bits)
        values = [UInt64](repeating: 0, count: 1 << bits)
        for (key, value) in entries {
            var slot = self.slot(key)
            while keys[slot] != PairTable.empty { slot = (slot + 1) & (keys.count - 1) }
            keys[slot] = key
            values[slot] = value
        }
    }

    @inline(__always) private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    @inline(__always) func value(_ key: UInt64) -> UInt64? {
        var slot = self.slot(key)
        while true {
            let k = keys[slot]
            if k == key { return values[slot] }
            if k == PairTable.empty { return nil }
            slot = (slot + 1) & (keys.count - 1)
        }
    }
}

// MARK: - The word cache

/// A word of up to 32 bytes packed into four integers: hashing it costs no allocation. Longer words are not cached.
struct WordKey: Hashable {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
    var count: Int

    /// One mixed word into the hasher instead of five (equality still compares every field).
    func hash(into hasher: inout Hasher) {
        hasher.combine((w0 &* 0x9E37_79B9_7F4A_7C15) ^ (w1 &* 0xC2B2_AE3D_27D4_EB4F) ^ (w2 &* 0x1656_67B1_9E37_79F9)
                       ^ (w3 &* 0x27D4_EB2F_1656_67C5) ^ UInt64(count))
    }

    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= 32 else { return nil }
        count = bytes.count
        for (i, b) in bytes.enumerated() {
            let shifted = UInt64(b) << UInt64((i & 7) * 8)
            switch i >> 3 {
            case 0: w0 |= shifted
            case 1: w1 |= shifted
            case 2: w2 |= shifted
            default: w3 |= shifted
            }
        }
    }
}

/// Word → ids, shared by every caller of `encode` and guarded by a mutex. Emptied when it grows past `capacity`
/// entries, so that a long stream of new words cannot grow it without bound.
final class WordCache {
    static let capacity = 200_000
    private var entries: [WordKey: [Int32]] = [:]
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lookUp(_ key: WordKey) -> [Int32]? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return entries[key]
    }

    func store(_ key: WordKey, _ ids: [Int32]) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if entries.count >= WordCache.capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = ids
    }
}
