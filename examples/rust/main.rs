// A plain Rust WASI program with no Observe imports at all: `wasm-observe instrument` adds them,
// and the trace shows its call tree with demangled Rust names and its memory growth.
//
//   rustc --target wasm32-wasi -O -g -o words.wasm examples/rust/main.rs
//   wasm-observe instrument words.wasm -o words.observe.wasm
//   wasm-observe run words.observe.wasm -- "the quick brown fox"

struct Words {
    words: Vec<String>,
}

impl Words {
    #[inline(never)] // kept as its own function (and span) at -O
    fn parse(text: &str) -> Words {
        Words { words: text.split_whitespace().map(str::to_string).collect() }
    }

    fn longest(&self) -> Option<&str> {
        self.words.iter().map(String::as_str).max_by_key(|w| w.len())
    }
}

#[inline(never)]
fn fib(n: u32) -> u64 {
    if n < 2 { n as u64 } else { fib(n - 1) + fib(n - 2) }
}

fn main() {
    let text = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let words = Words::parse(&text);
    // Three pages' worth of buffer, so the trace shows memory growth.
    let buffer = vec![0u8; 3 * 65536];
    println!("{} words, longest {:?}, fib(10) = {}, buffer {} bytes", words.words.len(), words.longest(), fib(10), buffer.len());
}
