// From text to "words", before any merge: the part of tokenization that needs no vocabulary.
//
//   1. Added tokens ("<|endoftext|>", "<|sep|>", ...) are cut out of the raw text first, leftmost-longest, so that
//      they are never split and never merged with their neighbours.
//   2. Each stretch between them goes through the pre-tokenizer: zero or more `Split` rules on a literal string
//      (Polyglot-Ko removes the character "ೱ", its document separator), then `ByteLevel`: an optional leading space,
//      then the GPT-2 split (ByteLevel.swift).
//   3. Each word's UTF-8 bytes go to the BPE model (BPETokenizer.swift) — or, when training, into the word counts.
// Empty pieces are dropped at every step, as Hugging Face `tokenizers` drops them.

/// A token matched in the raw text before pre-tokenization and never split (Hugging Face `added_tokens`).
public struct AddedToken: Equatable, Sendable {
    public var id: Int32
    public var content: String
    /// Special tokens can be left out when decoding (`skipSpecialTokens`).
    public var special: Bool
    /// Kept only to write the file back; with no normalizer it changes nothing.
    public var normalized: Bool

    public init(id: Int32, content: String, special: Bool = true, normalized: Bool = false) {
        self.id = id; self.content = content; self.special = special; self.normalized = normalized
    }
}

/// Hugging Face's `Split` pre-tokenizer with a literal (`String`) pattern.
public struct SplitRule: Equatable, Sendable {
    public enum Behavior: String, CaseIterable, Sendable {
        case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
        case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
    }
    public var pattern: String
    public var behavior: Behavior
    public init(pattern: String, behavior: Behavior) { self.pattern = pattern; self.behavior = behavior }
}

/// The flags of a `ByteLevel` section. Only `addPrefixSpace` and `useRegex` of the pre-tokenizer change ids;
/// `trimOffsets` (and the flags of the post-processor and decoder) only move character offsets, which we do not
/// report, and are kept to write the file back as it was.
public struct ByteLevelSettings: Equatable, Sendable {
    public var addPrefixSpace: Bool
    public var trimOffsets: Bool
    public var useRegex: Bool
    public init(addPrefixSpace: Bool, trimOffsets: Bool = true, useRegex: Bool = true) {
        self.addPrefixSpace = addPrefixSpace; self.trimOffsets = trimOffsets; self.useRegex = useRegex
    }
}

public struct PreTokenizer: Equatable, Sendable {
    public var splits: [SplitRule]
    public var byteLevel: ByteLevelSettings
    public init(splits: [SplitRule] = [], byteLevel: ByteLevelSettings) { self.splits = splits; self.byteLevel = byteLevel }

    /// Polyglot-Ko's: remove "ೱ" (U+0CF1), then ByteLevel without a prefix space, with the GPT-2 split.
    /// (Layout from EleutherAI's polyglot repository, tokenizer/MBBPE_modu_dataset_20220522_updated_on_05252022.)
    public static let polyglotKo = PreTokenizer(splits: [SplitRule(pattern: "\u{0CF1}", behavior: .removed)],
                                                byteLevel: ByteLevelSettings(addPrefixSpace: false))
}

// MARK: - Segmentation

/// Cuts text into added tokens and words. Shared by encoding and training, so both see the same words.
struct Segmenter {
    let preTokenizer: PreTokenizer
    /// Added tokens by their first UTF-8 byte, longest first (leftmost-longest matching).
    private let addedByFirstByte: [[(bytes: [UInt8], id: Int32)]]
    private let splitPatterns: [[UInt8]]

    init(preTokenizer: PreTokenizer, addedTokens: [AddedToken]) {
        self.preTokenizer = preTokenizer
        var table = [[(bytes: [UInt8], id: Int32)]](repeating: [], count: 256)
        for token in addedTokens where !token.content.isEmpty {
            let bytes = Array(token.content.utf8)
            table[Int(bytes[0])].append((bytes, token.id))
        }
        for i in 0..<256 { table[i].sort { $0.bytes.count > $1.bytes.count } }
        addedByFirstByte = table
        splitPatterns = preTokenizer.splits.map { Array($0.pattern.utf8) }
    }

    /// Calls `added(id)` for each added token and `word(buffer, start, end)` for each word's bytes, in text order.
    /// Not reentrant: `scratch` holds a word with its prefix space added.
    func forEachPiece(_ text: UnsafeBufferPointer<UInt8>, scratch: inout [UInt8],
                      added: (Int32) -> Void, word: (UnsafeBufferPointer<UInt8>, Int, Int) -> Void) {
        var stretchStart = 0, i = 0
        while i < text.count {
            if let (length, id) = matchAddedToken(text, at: i) {
                if stretchStart < i { preTokenize(text, stretchStart..<i, scratch: &scratch, word) }
                added(id)
                i += length
                stretchStart = i
            } else {
                i += 1
            }
        }
        if stretchStart < text.count { preTokenize(text, stretchStart..<text.count, scratch: &scratch, word) }
    }

    @inline(__always)
    private func matchAddedToken(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> (Int, Int32)? {
        let candidates = addedByFirstByte[Int(text[i])]
        if candidates.isEmpty { return nil }
        for (bytes, id) in candidates where i + bytes.count <= text.count {
            var k = 1
            while k < bytes.count && text[i + k] == bytes[k] { k += 1 }
            if k == bytes.count { return (bytes.count, id) }
        }
        return nil
    }

    private func preTokenize(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, scratch: inout [UInt8],
                             _ word: (UnsafeBufferPointer<UInt8>, Int, Int) -> Void) {
        var pieces = [range]
        for pattern in splitPatterns.indices {
            pieces = pieces.flatMap { split(text, $0, splitPatterns[pattern], preTokenizer.splits[pattern].behavior) }
                .filter { !$0.isEmpty }
        }
        let settings = preTokenizer.byteLevel
        for piece in pieces {
            if settings.addPrefixSpace && text[piece.lowerBound] != 0x20 {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(0x20)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: text[piece]))
                scratch.withUnsafeBufferPointer { buffer in byteLevel(buffer, 0..<buffer.count, settings, word) }
            } else {
                byteLevel(text, piece, settings, word)
            }
        }
    }

    private func byteLevel(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ settings: ByteLevelSettings,
                           _ word: (UnsafeBufferPointer<UInt8>, Int, Int) -> Void) {
        if settings.useRegex {
            GPT2Split.pieces(buffer, range) { word(buffer, $0, $1) }
        } else {
            word(buffer, range.lowerBound, range.upperBound)
        }
    }

    /// One `Split` rule on a literal pattern, as Hugging Face applies it: find the non-overlapping matches left to
    /// right, then keep, drop or glue them to a neighbour according to the behavior.
    private func split(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ pattern: [UInt8],
                       _ behavior: SplitRule.Behavior) -> [Range<Int>] {
        if pattern.isEmpty { return [range] }
        var parts: [(range: Range<Int>, isMatch: Bool)] = []
        var previous = range.lowerBound, i = range.lowerBound
        while i + pattern.count <= range.upperBound {
            var k = 0
            while k < pattern.count && text[i + k] == pattern[k] { k += 1 }
            if k == pattern.count {
                if previous < i { parts.append((previous..<i, false)) }
                parts.append((i..<(i + k), true))
                i += k
                previous = i
            } else {
                i += 1
            }
        }
        if previous == range.lowerBound && parts.isEmpty { return [range] }
        if previous < range.upperBound { parts.append((previous..<range.upperBound, false)) }

        var out: [Range<Int>] = []
        var previousWasMatch = false
        switch behavior {
        case .removed:
            out = parts.filter { !$0.isMatch }.map(\.range)
        case .isolated:
            out = parts.map(\.range)
        case .mergedWithPrevious:        // a match joins the piece before it (unless that piece was a match too)
            for part in parts {
                if part.isMatch && !previousWasMatch, let last = out.last {
                    out[out.count - 1] = last.lowerBound..<part.range.upperBound
                } else {
                    out.append(part.range)
                }
                previousWasMatch = part.isMatch
            }
        case .mergedWithNext:            // the mirror image: a match joins the piece after it
            for part in parts.reversed() {
                if part.isMatch && !previousWasMatch, let last = out.last {
                    out[out.count - 1] = part.range.lowerBound..<last.upperBound
                } else {
                    out.append(part.range)
                }
                previousWasMatch = part.isMatch
            }
            out.reverse()
        case .contiguous:                // runs of matches become one piece
            for part in parts {
                if part.isMatch == previousWasMatch, let last = out.last {
                    out[out.count - 1] = last.lowerBound..<part.range.upperBound
                } else {
                    out.append(part.range)
                }
                previousWasMatch = part.isMatch
            }
        }
        return out
    }
}
