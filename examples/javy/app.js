// A Javy program instrumented with wasm-observe's Javy binding: an order-pricing handler that
// reads an order (JSON) on stdin and writes the priced reply on stdout, with Javy's own `javy/fs`.
// Bundle it (Javy compiles one file), build it with Javy, run it: see README.md.
import { readFileSync, writeFileSync, STDIO } from 'javy/fs';
import { LogLevel, increment, log, spanTag, timing, traced, withSpan } from '../../bindings/javy/index.js';

const PRICES = { apple: 0.5, bread: 2.25, coffee: 7 };

// UTF-8 by hand: QuickJS has TextEncoder/TextDecoder only when Javy is built with
// -J text-encoding=y.
const encode = (s) => new Uint8Array(Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0)));
const decode = (bytes) => decodeURIComponent(escape(String.fromCharCode(...bytes)));

// Named explicitly: bundlers rename functions (esbuild makes this one `price2`).
const price = traced((item) => {
  const unit = PRICES[item.sku];
  if (unit === undefined) throw new Error(`unknown sku ${item.sku}`);
  return unit * item.qty;
}, 'price');

function handle(order) {
  return withSpan('handle order', () => {
    spanTag('order.id', order.id);
    log(LogLevel.Info, `pricing ${order.items.length} items`);
    let total = 0;
    for (const item of order.items) {
      try {
        total += price(item);
      } catch (err) {
        log(LogLevel.Warn, `skipped: ${err.message}`);
        increment('orders.skipped_items', 1, { sku: item.sku });
      }
    }
    timing('orders.total_cents', Math.round(total * 100));
    increment('orders.priced');
    return { id: order.id, total };
  });
}

// Ordinary stderr text still reaches stderr, linked or not.
writeFileSync(STDIO.Stderr, encode('pricing service starting\n'));
const order = JSON.parse(decode(readFileSync(STDIO.Stdin)));
writeFileSync(STDIO.Stdout, encode(JSON.stringify(handle(order)) + '\n'));
