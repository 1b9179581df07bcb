// Workload for Vendure 3.7.3: storefront shoppers on the Shop API and an administrator on the
// Admin API, as GraphQL over HTTP. Fake data only. Usage: node drive.mjs [http://127.0.0.1:23000]
const BASE = process.argv[2] || 'http://127.0.0.1:23000';
let requests = 0;

class Client {
  constructor(api) { this.api = api; this.token = null; }
  async q(query, variables = {}) {
    requests++;
    const headers = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const r = await fetch(`${BASE}/${this.api}`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const t = r.headers.get('vendure-auth-token');
    if (t) this.token = t;
    const j = await r.json();
    if (j.errors) console.error(this.api, query.slice(0, 60).replace(/\s+/g, ' '), JSON.stringify(j.errors).slice(0, 300));
    return j.data;
  }
}

// deterministic pseudo-random
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const FIRST = ['Ada', 'Bo', 'Cy', 'Dee', 'Eli', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo', 'Kit', 'Lu', 'Max', 'Ned', 'Oz', 'Pia'];
const LAST = ['Testa', 'Sample', 'Demo', 'Placeholder', 'Mock', 'Fixture', 'Dummy', 'Example'];
const WORDS = ['Nimbus', 'Vertex', 'Quartz', 'Harbor', 'Cobalt', 'Ember', 'Willow', 'Summit', 'Pixel', 'Drift', 'Lumen', 'Atlas'];
const KINDS = ['Lamp', 'Mug', 'Backpack', 'Notebook', 'Speaker', 'Chair', 'Bottle', 'Scarf', 'Kettle', 'Clock'];

const PRODUCT_CARD = `id name slug description featuredAsset { id preview } variants { id name sku price priceWithTax currencyCode stockLevel }
  facetValues { id code name facet { id code name } } collections { id name slug }`;
const PRODUCT_DETAIL = `id name slug description
  featuredAsset { id preview width height } assets { id preview source }
  variants { id name sku price priceWithTax stockLevel options { id code name group { id name } } featuredAsset { id preview } facetValues { id name } }
  optionGroups { id code name options { id code name } }
  facetValues { id code name facet { id name } }
  collections { id slug name breadcrumbs { id name slug } }`;

async function main() {
  const admin = new Client('admin-api');
  await admin.q(`mutation($u:String!,$p:String!){ login(username:$u,password:$p){ ... on CurrentUser { id identifier } } }`, { u: 'superadmin', p: 'superadmin' });

  // ---- admin: catalogue set-up -------------------------------------------------------
  const fac = await admin.q(`{ facets(options:{take:100}) { items { id code name values { id code name } } } }`);
  const taxCats = await admin.q(`{ taxCategories { items { id name } } }`);
  const taxCategoryId = taxCats.taxCategories.items[0].id;
  // a new facet with values for the bulk assignment
  const nf = await admin.q(`mutation($i:CreateFacetInput!){ createFacet(input:$i){ id values { id code } } }`, {
    i: { code: 'season', isPrivate: false, translations: [{ languageCode: 'en', name: 'Season' }],
      values: ['spring', 'summer', 'autumn', 'winter'].map((c) => ({ code: c, translations: [{ languageCode: 'en', name: c[0].toUpperCase() + c.slice(1) }] })) },
  });
  const seasonValues = nf.createFacet.values.map((v) => v.id);
  const allFacetValueIds = fac.facets.items.flatMap((f) => f.values.map((v) => v.id));

  // 24 new products, each with a size option group and 3 variants
  const created = [];
  for (let i = 0; i < 24; i++) {
    const name = `${pick(WORDS)} ${pick(KINDS)} ${i + 1}`;
    const slug = name.toLowerCase().replace(/\s+/g, '-');
    const p = await admin.q(`mutation($i:CreateProductInput!){ createProduct(input:$i){ id name } }`, {
      i: { enabled: true, facetValueIds: [pick(allFacetValueIds), pick(seasonValues)],
        translations: [{ languageCode: 'en', name, slug, description: `A fake ${name} for the workload.` }] },
    });
    const pid = p.createProduct.id;
    created.push(pid);
    const og = await admin.q(`mutation($i:CreateProductOptionGroupInput!){ createProductOptionGroup(input:$i){ id options { id code } } }`, {
      i: { code: `${slug}-size`, translations: [{ languageCode: 'en', name: 'Size' }],
        options: ['S', 'M', 'L'].map((c) => ({ code: c.toLowerCase(), translations: [{ languageCode: 'en', name: c }] })) },
    });
    await admin.q(`mutation($p:ID!,$g:ID!){ addOptionGroupToProduct(productId:$p,optionGroupId:$g){ id } }`, { p: pid, g: og.createProductOptionGroup.id });
    await admin.q(`mutation($i:[CreateProductVariantInput!]!){ createProductVariants(input:$i){ id sku } }`, {
      i: ['S', 'M', 'L'].map((s, k) => ({ productId: pid, optionIds: [og.createProductOptionGroup.options[k].id], sku: `WL-${i + 1}-${s}`, price: 1000 + i * 37 + k * 250, taxCategoryId,
        stockOnHand: 50 + k, trackInventory: 'TRUE', translations: [{ languageCode: 'en', name: `${name} ${s}` }] })),
    });
  }
  // new collections filtering by facet value
  for (const [k, vid] of seasonValues.entries()) {
    await admin.q(`mutation($i:CreateCollectionInput!){ createCollection(input:$i){ id slug } }`, {
      i: { isPrivate: false, filters: [{ code: 'facet-value-filter', arguments: [{ name: 'facetValueIds', value: JSON.stringify([vid]) }, { name: 'containsAny', value: 'false' }] }],
        translations: [{ languageCode: 'en', name: `Season ${k}`, slug: `season-${k}`, description: 'Seasonal picks' }] },
    });
  }
  await admin.q(`mutation { reindex { id } }`);
  await new Promise((r) => setTimeout(r, 15000)); // the worker rebuilds the search index and collections

  // ---- admin: 36 customers -------------------------------------------------------------
  for (let i = 0; i < 36; i++) {
    const f = pick(FIRST), l = pick(LAST);
    await admin.q(`mutation($i:CreateCustomerInput!){ createCustomer(input:$i){ ... on Customer { id } } }`, {
      i: { firstName: f, lastName: l, emailAddress: `admin-made-${i}@example.test`, phoneNumber: `555-01${String(i).padStart(2, '0')}` },
    });
  }

  // ---- shop: browsing -----------------------------------------------------------------
  const anon = new Client('shop-api');
  const colls = await anon.q(`{ collections(options:{take:50}) { items { id name slug parent { id name } children { id name slug } featuredAsset { id preview } } } }`);
  const slugs = [];
  for (const [take, skips] of [[10, [0, 30, 70]], [20, [0, 60]], [50, [0]]]) {
    for (const skip of skips) {
      const d = await anon.q(`query($o:ProductListOptions){ products(options:$o){ totalItems items { ${PRODUCT_CARD} } } }`, { o: { take, skip } });
      for (const it of d.products.items) if (!slugs.includes(it.slug)) slugs.push(it.slug);
    }
  }
  const terms = ['laptop', 'camera', 'shoe', 'lamp', 'mug', 'chair', 'plant', 'nimbus'];
  for (const term of terms) {
    for (const skip of [0, 10, 20]) {
      await anon.q(`query($i:SearchInput!){ search(input:$i){ totalItems items { productId productName slug productAsset { id preview } priceWithTax { ... on PriceRange { min max } ... on SinglePrice { value } } currencyCode }
        facetValues { count facetValue { id name facet { id name } } } } }`, { i: { term, take: 10, skip, groupByProduct: true } });
    }
  }
  for (const c of colls.collections.items) {
    for (const skip of [0, 12, 24]) {
      await anon.q(`query($i:SearchInput!){ search(input:$i){ totalItems items { productId productName slug productAsset { preview } priceWithTax { ... on PriceRange { min max } } } } }`,
        { i: { collectionSlug: c.slug, take: 12, skip, groupByProduct: true } });
    }
    await anon.q(`query($s:String){ collection(slug:$s){ id name slug description breadcrumbs { id name slug } children { id name slug featuredAsset { preview } } productVariants(options:{take:20}) { totalItems items { id name price product { id slug } } } } }`, { s: c.slug });
  }
  const variantIds = [];
  for (const slug of slugs.slice(0, 30)) {
    const d = await anon.q(`query($s:String){ product(slug:$s){ ${PRODUCT_DETAIL} } }`, { s: slug });
    for (const v of d.product.variants) variantIds.push(v.id);
  }

  // ---- shop: 30 shoppers register, log in, fill a cart, check out -----------------------
  const shippers = await anon.q(`{ availableCountries { code } }`);
  for (let i = 0; i < 15; i++) {
    const s = new Client('shop-api');
    const email = `shopper-${i}@example.test`;
    const f = pick(FIRST), l = pick(LAST);
    await s.q(`mutation($i:RegisterCustomerInput!){ registerCustomerAccount(input:$i){ ... on Success { success } } }`,
      { i: { emailAddress: email, firstName: f, lastName: l, password: 'fake-password-1' } });
    await s.q(`mutation($u:String!,$p:String!){ login(username:$u,password:$p){ ... on CurrentUser { id } } }`, { u: email, p: 'fake-password-1' });
    await s.q(`{ activeCustomer { id firstName lastName emailAddress } }`);
    const lines = [];
    const n = 2 + (i % 3);
    for (let k = 0; k < n; k++) {
      const d = await s.q(`mutation($v:ID!,$q:Int!){ addItemToOrder(productVariantId:$v,quantity:$q){ ... on Order { id code totalQuantity totalWithTax lines { id quantity productVariant { id name } } } } }`,
        { v: pick(variantIds), q: 1 + (k % 3) });
      if (d?.addItemToOrder?.lines) lines.splice(0, lines.length, ...d.addItemToOrder.lines.map((x) => x.id));
    }
    await s.q(`{ activeOrder { id code state totalWithTax subTotal shipping lines { id quantity linePriceWithTax featuredAsset { preview } productVariant { id name sku product { slug } } } } }`);
    if (lines.length > 1) {
      await s.q(`mutation($l:ID!,$q:Int!){ adjustOrderLine(orderLineId:$l,quantity:$q){ ... on Order { id totalQuantity } } }`, { l: lines[0], q: 3 });
      await s.q(`mutation($l:ID!){ removeOrderLine(orderLineId:$l){ ... on Order { id totalQuantity } } }`, { l: lines[lines.length - 1] });
    }
    if (i % 5 === 4) continue; // some carts are abandoned
    await s.q(`mutation($i:CreateAddressInput!){ setOrderShippingAddress(input:$i){ ... on Order { id } } }`,
      { i: { fullName: `${f} ${l}`, streetLine1: `${10 + i} Fake Street`, city: 'Testville', postalCode: `9${String(i).padStart(4, '0')}`, countryCode: pick(['GB', 'US', 'DE', 'FR']) } });
    const sm = await s.q(`{ eligibleShippingMethods { id name priceWithTax } }`);
    await s.q(`mutation($id:[ID!]!){ setOrderShippingMethod(shippingMethodId:$id){ ... on Order { id shipping } } }`, { id: [sm.eligibleShippingMethods[i % 2].id] });
    await s.q(`{ eligiblePaymentMethods { code name isEligible } }`);
    await s.q(`mutation { transitionOrderToState(state:"ArrangingPayment"){ ... on Order { id state } } }`);
    const pay = await s.q(`mutation($i:PaymentInput!){ addPaymentToOrder(input:$i){ ... on Order { id code state } } }`,
      { i: { method: 'standard-payment', metadata: { shouldDecline: false } } });
    const code = pay?.addPaymentToOrder?.code;
    if (code) await s.q(`query($c:String!){ orderByCode(code:$c){ id code state totalWithTax lines { quantity productVariant { name } } payments { id state method } } }`, { c: code });
    await s.q(`{ activeCustomer { orders(options:{take:10}) { totalItems items { id code state totalWithTax orderPlacedAt } } } }`);
  }

  // ---- admin: lists, details, edits, bulk ------------------------------------------------
  for (const take of [5, 10]) {
    for (let skip = 0; skip < 20; skip += take) {
      await admin.q(`query($o:OrderListOptions){ orders(options:$o){ totalItems items { id code state orderPlacedAt totalWithTax currencyCode customer { id firstName lastName emailAddress } shippingLines { shippingMethod { name } } lines { id quantity } } } }`,
        { o: { take, skip, sort: { orderPlacedAt: 'DESC' } } });
    }
  }
  const ol = await admin.q(`{ orders(options:{take:16}) { items { id } } }`);
  for (const o of ol.orders.items) {
    await admin.q(`query($id:ID!){ order(id:$id){ id code state totalWithTax customer { id emailAddress } lines { id quantity unitPriceWithTax productVariant { id name sku stockOnHand } featuredAsset { preview } }
      payments { id state amount method } fulfillments { id state } history { totalItems items { id type data } } shippingAddress { fullName city } } }`, { id: o.id });
  }
  for (const take of [10, 25]) {
    for (let skip = 0; skip < 75; skip += take) {
      await admin.q(`query($o:CustomerListOptions){ customers(options:$o){ totalItems items { id firstName lastName emailAddress phoneNumber user { id verified lastLogin } } } }`, { o: { take, skip } });
    }
  }
  const cl = await admin.q(`{ customers(options:{take:25}) { items { id } } }`);
  for (const c of cl.customers.items) {
    await admin.q(`query($id:ID!){ customer(id:$id){ id firstName lastName emailAddress addresses { id city country { code } } groups { id name } orders(options:{take:5}) { totalItems items { id code state } } } }`, { id: c.id });
  }
  for (const [take, skips] of [[10, [0, 40, 70]], [50, [0]]]) {
    for (const skip of skips) {
      await admin.q(`query($o:ProductListOptions){ products(options:$o){ totalItems items { id name slug enabled featuredAsset { preview } variantList { totalItems } facetValues { id name } channels { id code } } } }`, { o: { take, skip } });
    }
  }
  await admin.q(`query($o:ProductVariantListOptions){ productVariants(options:$o){ totalItems items { id name sku price stockOnHand product { id name } } } }`, { o: { take: 100, skip: 200 } });
  // product edits
  for (const pid of created.slice(0, 12)) {
    await admin.q(`query($id:ID!){ product(id:$id){ id name variants { id sku price stockOnHand } facetValues { id } assets { id } } }`, { id: pid });
    await admin.q(`mutation($i:UpdateProductInput!){ updateProduct(input:$i){ id name } }`,
      { i: { id: pid, translations: [{ languageCode: 'en', description: `Edited description ${pid}.` }] } });
  }
  // bulk facet assignment: many products at once, then their variants
  const bulk = created.slice(2, 22);
  await admin.q(`mutation($i:[UpdateProductInput!]!){ updateProducts(input:$i){ id } }`,
    { i: bulk.map((id, k) => ({ id, facetValueIds: [seasonValues[k % 4], pick(allFacetValueIds)] })) });
  const vars = await admin.q(`{ productVariants(options:{take:36, sort:{id:DESC}}) { items { id } } }`);
  await admin.q(`mutation($i:[UpdateProductVariantInput!]!){ updateProductVariants(input:$i){ id } }`,
    { i: vars.productVariants.items.map((v, k) => ({ id: v.id, facetValueIds: [seasonValues[(k + 1) % 4]], price: 1500 + k })) });
  await admin.q(`mutation($i:AssignProductsToChannelInput!){ assignProductsToChannel(input:$i){ id } }`,
    { i: { channelId: '1', productIds: created.slice(0, 12) } });
  // the facets and collections pages
  await admin.q(`{ facets(options:{take:20}) { totalItems items { id name code valueList(options:{take:20}) { totalItems items { id name } } } } }`);
  await admin.q(`{ collections(options:{take:50}) { items { id name slug parent { id } breadcrumbs { id name } productVariants(options:{take:5}) { totalItems } } } }`);
  // deletes
  await admin.q(`mutation($ids:[ID!]!){ deleteProducts(ids:$ids){ result } }`, { ids: created.slice(20, 24) });
  for (const pid of created.slice(17, 20)) await admin.q(`mutation($id:ID!){ deleteProduct(id:$id){ result } }`, { id: pid });
  const cdel = await admin.q(`{ customers(options:{take:5, sort:{id:DESC}}) { items { id } } }`);
  for (const c of cdel.customers.items) await admin.q(`mutation($id:ID!){ deleteCustomer(id:$id){ result } }`, { id: c.id });
  // post-change storefront reads
  for (const skip of [0, 40]) {
    await anon.q(`query($o:ProductListOptions){ products(options:$o){ totalItems items { ${PRODUCT_CARD} } } }`, { o: { take: 10, skip } });
  }
  console.log('requests', requests);
}
main().catch((e) => { console.error(e); process.exit(1); });
