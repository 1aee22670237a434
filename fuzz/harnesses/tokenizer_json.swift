// tokenizer.json of arbitrary bytes: a BPETokenizer or a thrown error naming the file; never a trap. A tokenizer
// that loads must encode and decode text (a fixed Korean/English line and the input itself) without trapping, give
// only ids it has, and write back a file that loads to the same ids.
import Repro
import Tensor

let sampleText = "안녕하세요<|endoftext|> Hello, world! 12 34  \n\t 문법 오류를 고치세요. ೱ 🙂"

func fuzzOne(_ bytes: [UInt8]) {
    let path = scratchFile("tokenizer.json", bytes)
    let tokenizer: BPETokenizer
    do {
        tokenizer = try BPETokenizer(contentsOf: path)
    } catch {
        expectNamesFile(error, path)
        return
    }
    for text in [sampleText, String(decoding: bytes.prefix(512), as: UTF8.self)] {
        let ids = tokenizer.encode(text)
        for id in ids where id < 0 || Int(id) >= tokenizer.vocabularySize || tokenizer.token(of: id) == nil {
            violated("encode gave id \(id), which no token has")
        }
        _ = tokenizer.decode(ids)
        _ = tokenizer.decode(ids, skipSpecialTokens: true)
    }
    // Written back, the file must load and encode the same.
    let copy = scratchDirectory + "/copy-tokenizer.json"
    do {
        try tokenizer.save(to: copy)
        let again = try BPETokenizer(contentsOf: copy)
        if again.encode(sampleText) != tokenizer.encode(sampleText) { violated("the written tokenizer encodes differently") }
    } catch {
        violated("a loaded tokenizer could not be written and read back: \(error)")
    }
}
