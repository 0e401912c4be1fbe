/**
 * Where seeded organisations are registered: GB/T 2260 prefectures of the five north-western
 * provinces (with the plate prefix their vehicles carry and the hub they ship from) and the
 * partner countries' main freight cities.
 */
export interface Region {
  country: string;
  /** GB/T 2260 division code (Chinese regions only). */
  division?: string;
  city: string;
  /** Plate province character and issuing-office letter (Chinese regions only). */
  plate?: [string, string];
  hub: string;
  /** Share of the organisations registered here. */
  weight: number;
}

export const REGIONS: readonly Region[] = [
  {
    country: "CN",
    division: "650100",
    city: "乌鲁木齐",
    plate: ["新", "A"],
    hub: "CN-URC",
    weight: 18,
  },
  { country: "CN", division: "652300", city: "昌吉", plate: ["新", "B"], hub: "CN-URC", weight: 4 },
  {
    country: "CN",
    division: "650200",
    city: "克拉玛依",
    plate: ["新", "J"],
    hub: "CN-KUY",
    weight: 2,
  },
  { country: "CN", division: "653100", city: "喀什", plate: ["新", "Q"], hub: "CN-KHG", weight: 6 },
  { country: "CN", division: "654000", city: "伊犁", plate: ["新", "F"], hub: "CN-YIN", weight: 4 },
  {
    country: "CN",
    division: "654004",
    city: "霍尔果斯",
    plate: ["新", "F"],
    hub: "CN-KHR",
    weight: 4,
  },
  {
    country: "CN",
    division: "652700",
    city: "博尔塔拉",
    plate: ["新", "E"],
    hub: "CN-AKS",
    weight: 3,
  },
  { country: "CN", division: "650500", city: "哈密", plate: ["新", "L"], hub: "CN-HMI", weight: 2 },
  {
    country: "CN",
    division: "652800",
    city: "巴音郭楞",
    plate: ["新", "M"],
    hub: "CN-KRL",
    weight: 2,
  },
  { country: "CN", division: "620100", city: "兰州", plate: ["甘", "A"], hub: "CN-LHW", weight: 8 },
  { country: "CN", division: "620600", city: "武威", plate: ["甘", "H"], hub: "CN-WUW", weight: 2 },
  {
    country: "CN",
    division: "620200",
    city: "嘉峪关",
    plate: ["甘", "B"],
    hub: "CN-JYG",
    weight: 1,
  },
  { country: "CN", division: "630100", city: "西宁", plate: ["青", "A"], hub: "CN-XNN", weight: 3 },
  { country: "CN", division: "632800", city: "海西", plate: ["青", "H"], hub: "CN-GOQ", weight: 1 },
  { country: "CN", division: "640100", city: "银川", plate: ["宁", "A"], hub: "CN-INC", weight: 3 },
  { country: "CN", division: "640500", city: "中卫", plate: ["宁", "E"], hub: "CN-ZHY", weight: 1 },
  { country: "CN", division: "610100", city: "西安", plate: ["陕", "A"], hub: "CN-XIY", weight: 9 },
  { country: "CN", division: "610300", city: "宝鸡", plate: ["陕", "C"], hub: "CN-BAJ", weight: 2 },
  { country: "KZ", city: "Almaty", hub: "KZ-ALA", weight: 6 },
  { country: "KZ", city: "Astana", hub: "KZ-NQZ", weight: 3 },
  { country: "KZ", city: "Aktau", hub: "KZ-AKU", weight: 1 },
  { country: "UZ", city: "Tashkent", hub: "UZ-TAS", weight: 4 },
  { country: "KG", city: "Bishkek", hub: "KG-FRU", weight: 2 },
  { country: "KG", city: "Osh", hub: "KG-OSS", weight: 1 },
  { country: "RU", city: "Moscow", hub: "RU-MOW", weight: 3 },
  { country: "PK", city: "Islamabad", hub: "PK-ISB", weight: 2 },
];

/** Syllables of company names, by language; names are drawn, not meant to be real firms. */
export const NAME_PARTS = {
  zh: {
    core: [
      "天山",
      "丝路",
      "昆仑",
      "西域",
      "金桥",
      "陆港",
      "通达",
      "远航",
      "瀚海",
      "驼铃",
      "长风",
      "博远",
    ],
    trade: ["国际物流", "供应链", "货运", "商贸", "多式联运", "国际货运代理", "运输"],
    suffix: ["有限公司", "股份有限公司", "集团有限公司"],
  },
  latin: {
    core: ["Silk Way", "Steppe", "Caspian", "Tengri", "Altyn", "Nomad", "Eurasia", "Baikonur"],
    trade: ["Logistics", "Trans", "Cargo", "Freight", "Trade", "Express"],
    suffix: { KZ: "LLP", UZ: "LLC", KG: "LLC", RU: "LLC", PK: "(Pvt) Ltd" } as Record<
      string,
      string
    >,
  },
};
