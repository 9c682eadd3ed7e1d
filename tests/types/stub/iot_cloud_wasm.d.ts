// Stand-in for the wasm-bindgen output, for tests/types/arduino-generated.tsconfig.json only.
export interface IotApiClientLike {
  basePath: string;
  authentications: { oauth2: { accessToken?: string } };
  defaultHeaders?: Record<string, string>;
  timeout?: number;
}
