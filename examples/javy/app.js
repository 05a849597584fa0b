// A Javy program instrumented with wasm-observe's Javy binding: a small order-pricing handler.
// Bundle it (Javy compiles one file), build it with Javy, link it, run it: see README.md.
import { LogLevel, increment, log, spanTag, timing, traced, withSpan } from '../../bindings/javy/index.js';

// QuickJS has no TextEncoder unless Javy is built with -J text-encoding=y.
const encode = (s) => new Uint8Array(Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0)));
const print = (fd, s) => Javy.IO.writeSync(fd, encode(s));

const PRICES = { apple: 0.5, bread: 2.25, coffee: 7 };

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
print(2, 'pricing service starting\n');
const result = handle({ id: 'A-17', items: [{ sku: 'apple', qty: 4 }, { sku: 'tea', qty: 1 }, { sku: 'coffee', qty: 1 }] });
print(1, JSON.stringify(result) + '\n');
