/* DO NOT EDIT: generated from schemas/aws-identity-certificates.schema.json by `npm run generate:types`. */

export type Region = string;
/**
 * 'rsa2048' verifies IMDS /latest/dynamic/instance-identity/rsa2048; 'rsa' verifies /latest/dynamic/instance-identity/signature.
 */
export type CertificateKind = "rsa2048" | "rsa";

/**
 * configs/aws-identity-certificates.json: the public certificates AWS publishes per region to verify an EC2 instance identity document's signatures. 'rsa2048' certificates verify the /rsa2048 CMS SignedData (SHA-256, RSA-2048; the only signature that counts as verified); 'rsa' certificates verify the base64 /signature (RSA PKCS#1 v1.5 over the document, a weak fallback). Each entry records where its text came from and when, its SHA-256 fingerprint and its validity, so a reviewer can check it against AWS's page. Regions whose certificate could not be recovered whole are listed in 'missing' with the reason, never filled in. Version 1.
 */
export interface AwsIdentityCertificateCatalogue {
  schemaVersion: 1;
  /**
   * One entry per region and kind, sorted by region then kind.
   */
  certificates: IdentityCertificate[];
  /**
   * Region and kind pairs AWS publishes a certificate for that this catalogue does not hold, with why.
   */
  missing: MissingCertificate[];
}
export interface IdentityCertificate {
  region: Region;
  kind: CertificateKind;
  /**
   * The certificate as AWS publishes it, PEM with 64-character lines.
   */
  pem: string;
  /**
   * SHA-256 of the certificate's DER bytes, lower-case hex (openssl x509 -fingerprint -sha256, without colons).
   */
  sha256Fingerprint: string;
  /**
   * Start of validity, from the certificate (UTC).
   */
  notBefore: string;
  /**
   * End of validity, from the certificate (UTC).
   */
  notAfter: string;
  source: Source;
}
export interface Source {
  /**
   * The AWS page that publishes the certificate.
   */
  url: string;
  /**
   * The day the text was taken.
   */
  retrieved: string;
  /**
   * How the text was obtained (for example, from a stored copy of the page rather than the live page).
   */
  note: string;
}
export interface MissingCertificate {
  region: Region;
  kind: CertificateKind;
  reason: string;
}
