// Learning a byte-level BPE from text: the same algorithm, and the same result, as Hugging Face's `BpeTrainer`.
//
//   1. Cut every text into words exactly as encoding will (Segmenter), and count each distinct word.
//   2. The vocabulary starts as the leading special tokens, then the 256 byte symbols (ordered by their stand-in
//      character, as `tokenizers` orders its alphabet). Each word is a list of byte-symbol ids.
//   3. Count every adjacent pair of symbols, weighted by word count, and note which words hold it.
//   4. Repeat until the vocabulary is full: take the most frequent pair — on a tie, the pair with the smaller
//      (left id, right id) — make its concatenation a new token, and replace the pair in the words that hold it.
//      Only those words change, and each replacement tells which pair counts go down and which new pairs appear
//      ("incremental pair counts": nothing is recounted). A max-heap finds the top pair; an entry whose count has
//      gone stale is put back with its current count instead of being used.
//   5. The trailing special tokens take the ids after the last merge.
// Steps 2–5 follow `tokenizers` (models/bpe/trainer.rs) closely enough that the two give identical tokenizer.json
// files (a test checks this on the fixture corpus), including its quirks: a merge whose text already exists as a
// token adds no new id, and a heap entry only updates the words it was created with.
// One deliberate difference: special-token strings inside the training text are cut out before counting (as
// encoding cuts them out), where `tokenizers` would learn merges such as "<|" from them.

/// The special tokens of a trained vocabulary: `leading` take ids 0, 1, ... before the byte symbols, `trailing` the
/// last ids. Polyglot-Ko's layout: <pad> = 0, <eos> = 1, <|endoftext|> = 2, <|sep|> = 3, and <|acc|>, <|tel|>,
/// <|rrn|> = 30000, 30001, 30002 (masks for account numbers, phone numbers and resident registration numbers).
/// The model card publishes 2, 3 and 30000–30002; <pad> and <eos> at 0 and 1 come from the tokenizer file in
/// EleutherAI's polyglot repository (tokenizer/MBBPE_modu_dataset_20220522_updated_on_05252022/tokenizer.json).
public struct SpecialTokens: Equatable, Sendable {
    public var leading: [String]
    public var trailing: [String]
    public init(leading: [String], trailing: [String]) { self.leading = leading; self.trailing = trailing }

    public static let polyglotKo = SpecialTokens(leading: ["<pad>", "<eos>", "<|endoftext|>", "<|sep|>"],
                                                 trailing: ["<|acc|>", "<|tel|>", "<|rrn|>"])
}

public struct TokenizerTrainingError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "tokenizer training: \(message)" }
}

extension BPETokenizer {
    /// Learn merges from `texts` until the vocabulary holds `vocabSize` ids, trailing specials included (so
    /// Polyglot-Ko's layout is `vocabSize: 30_003`). Deterministic: the same texts give a byte-identical file.
    /// When the texts run out of pairs first, the vocabulary is smaller and the trailing specials follow the last
    /// merge, as in `tokenizers`.
    public static func train(texts: [String], vocabSize: Int, specialTokens: SpecialTokens = .polyglotKo,
                             preTokenizer: PreTokenizer = .polyglotKo) throws -> BPETokenizer {
        let fixed = Set(specialTokens.leading + specialTokens.trailing).count + 256
        guard vocabSize >= fixed else {
            throw TokenizerTrainingError(message: "vocabSize \(vocabSize) is below \(fixed), the special tokens plus the 256 byte symbols")
        }
        var trainer = BPETrainer(specialTokens: specialTokens, preTokenizer: preTokenizer)
        trainer.countWords(texts)
        trainer.learnMerges(modelVocabularySize: vocabSize - specialTokens.trailing.count)
        return try BPETokenizer(parts: trainer.parts(), file: "<trained tokenizer>")
    }
}

struct BPETrainer {
    let specialTokens: SpecialTokens
    let preTokenizer: PreTokenizer
    var wordCounts: [[UInt8]: Int] = [:]

    var tokens: [String] = []                  // id → token text (byte-level stand-in characters)
    var ids: [String: Int32] = [:]
    var merges: [(Int32, Int32)] = []

    init(specialTokens: SpecialTokens, preTokenizer: PreTokenizer) {
        self.specialTokens = specialTokens
        self.preTokenizer = preTokenizer
    }

    mutating func countWords(_ texts: [String]) {
        let specials = (specialTokens.leading + specialTokens.trailing).map { AddedToken(id: 0, content: $0) }
        let segmenter = Segmenter(preTokenizer: preTokenizer, addedTokens: specials)
        var scratch: [UInt8] = []
        for var text in texts {
            text.withUTF8 { utf8 in
                segmenter.forEachPiece(utf8, scratch: &scratch, added: { _ in }) { buffer, start, end in
                    wordCounts[Array(buffer[start..<end]), default: 0] += 1
                }
            }
        }
    }

    @discardableResult
    mutating func add(_ token: String) -> Int32 {
        if let id = ids[token] { return id }
        let id = Int32(tokens.count)
        tokens.append(token)
        ids[token] = id
        return id
    }

    mutating func learnMerges(modelVocabularySize: Int) {
        for special in specialTokens.leading { add(special) }
        let alphabet = (0..<256).sorted { ByteLevelAlphabet.characterForByte[$0].value < ByteLevelAlphabet.characterForByte[$1].value }
        for byte in alphabet { add(String(ByteLevelAlphabet.characterForByte[byte])) }
        var byteId = [Int32](repeating: 0, count: 256)
        for byte in 0..<256 { byteId[byte] = ids[String(ByteLevelAlphabet.characterForByte[byte])] ?? 0 }

        // Words in a fixed order (sorted bytes), so that nothing depends on dictionary order.
        let distinct = wordCounts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var words = distinct.map { entry in entry.key.map { byteId[Int($0)] } }
        let counts = distinct.map(\.value)

        var pairCounts: [UInt64: Int] = [:]
        var holders: [UInt64: [Int32]] = [:]        // pair → words that gained it (this round)
        for (w, word) in words.enumerated() where word.count > 1 {
            for i in 0..<(word.count - 1) {
                let pair = BPETokenizer.pairKey(word[i], word[i + 1])
                pairCounts[pair, default: 0] += counts[w]
                if holders[pair]?.last != Int32(w) { holders[pair, default: []].append(Int32(w)) }
            }
        }
        var heap = PairHeap()
        for (pair, list) in holders where pairCounts[pair, default: 0] > 0 {
            heap.push(PairHeap.Entry(count: pairCounts[pair, default: 0], pair: pair, words: list))
        }
        holders.removeAll()

        while tokens.count < modelVocabularySize, var top = heap.pop() {
            let current = pairCounts[top.pair, default: 0]
            if top.count != current {                       // stale: put back with the count it has now
                top.count = current
                heap.push(top)
                continue
            }
            if top.count < 1 { break }
            let left = Int32(truncatingIfNeeded: top.pair >> 32), right = Int32(truncatingIfNeeded: top.pair & 0xFFFF_FFFF)
            let merged = add(tokens[Int(left)] + tokens[Int(right)])
            merges.append((left, right))

            for w in top.words {
                let count = counts[Int(w)]
                BPETrainer.replace(left, right, with: merged, in: &words[Int(w)]) { pair, change in
                    pairCounts[pair, default: 0] += change * count
                    if change > 0 && holders[pair]?.last != w { holders[pair, default: []].append(w) }
                }
            }
            for (pair, list) in holders where pairCounts[pair, default: 0] > 0 {
                heap.push(PairHeap.Entry(count: pairCounts[pair, default: 0], pair: pair, words: list))
            }
            holders.removeAll(keepingCapacity: true)
        }
    }

    /// Replace each (left, right) in `word`, left to right, reporting the pair counts that change: the pairs with
    /// the neighbours lose one, the pairs with the new token gain one. (The merged pair's own count is left as it is,
    /// as `tokenizers` leaves it; it can no longer win, since its heap entry is used up.)
    static func replace(_ left: Int32, _ right: Int32, with merged: Int32, in word: inout [Int32],
                        _ change: (UInt64, Int) -> Void) {
        var i = 0
        while i + 1 < word.count {
            if word[i] == left && word[i + 1] == right {
                if i > 0 {
                    change(BPETokenizer.pairKey(word[i - 1], left), -1)
                    change(BPETokenizer.pairKey(word[i - 1], merged), 1)
                }
                word[i] = merged
                word.remove(at: i + 1)
                if i + 1 < word.count {
                    change(BPETokenizer.pairKey(right, word[i + 1]), -1)
                    change(BPETokenizer.pairKey(merged, word[i + 1]), 1)
                }
            }
            i += 1
        }
    }

    func parts() -> BPETokenizer.Parts {
        var added = specialTokens.leading.compactMap { token in ids[token].map { AddedToken(id: $0, content: token) } }
        var next = Int32(tokens.count)
        for token in specialTokens.trailing where !added.contains(where: { $0.content == token }) {
            if let id = ids[token] {
                added.append(AddedToken(id: id, content: token))
            } else {
                added.append(AddedToken(id: next, content: token))
                next += 1
            }
        }
        let byteLevel = ByteLevelSettings(addPrefixSpace: true, trimOffsets: false, useRegex: true)
        return BPETokenizer.Parts(
            vocabulary: tokens.enumerated().map { ($1, Int32($0)) },
            merges: merges.map { (tokens[Int($0.0)], tokens[Int($0.1)]) },
            addedTokens: added, preTokenizer: preTokenizer,
            postProcessor: byteLevel,                                  // as `tokenizers` writes Polyglot-Ko's
            decoder: ByteLevelSettings(addPrefixSpace: true, trimOffsets: true, useRegex: true))
    }
}

/// A binary max-heap of candidate merges: the larger count first, then the smaller pair, then (only to make the
/// order total) the smaller first word.
struct PairHeap {
    struct Entry {
        var count: Int
        var pair: UInt64
        var words: [Int32]
    }
    private var entries: [Entry] = []

    static func before(_ x: Entry, _ y: Entry) -> Bool {
        if x.count != y.count { return x.count > y.count }
        if x.pair != y.pair { return x.pair < y.pair }
        return (x.words.first ?? 0) < (y.words.first ?? 0)
    }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !PairHeap.before(entries[child], entries[parent]) { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < entries.count && PairHeap.before(entries[left], entries[best]) { best = left }
            if right < entries.count && PairHeap.before(entries[right], entries[best]) { best = right }
            if best == parent { break }
            entries.swapAt(parent, best)
            parent = best
        }
        return top
    }
}
