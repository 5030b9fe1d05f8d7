/* DO NOT EDIT: generated from schemas/batch-spec.schema.json by `npm run generate:types`. */

/**
 * One benchmark batch as the stack program declares it: the single stack config value `aws-instance-benchmarks:batch` (a JSON object; in Pulumi.<stack>.yaml a YAML mapping). `aws-bench` computes it once from the request, the catalogue and the account's preflight, stores it in the batch record, and passes it unchanged to every step; a team running `pulumi up` on this repository writes it by hand with only the required fields. The region is the AWS provider's (`aws:region`). Version 1.
 */
export interface BatchSpec {
  /**
   * EC2 instance types to launch (types the preflight skipped are not here).
   *
   * @minItems 1
   */
  instanceTypes: string[];
  /**
   * The long-lived results bucket, in the stack's region (aws-bench bootstrap creates one).
   */
  resultsBucket: string;
  /**
   * The batch id; a new one when absent.
   */
  batchId?: string;
  /**
   * Benchmarks the runner runs on every instance; default: every built-in benchmark.
   *
   * @minItems 1
   */
  benchmarks?: string[];
  /**
   * Independent instances per type; default 1.
   */
  repeat?: number;
  /**
   * The runner's --quick (2 trials, HPL sized for a minute); default false.
   */
  quick?: boolean;
  /**
   * One-time spot requests that terminate on interruption; default false.
   */
  spot?: boolean;
  /**
   * Attach the SSM managed-instance policy to the role (Session Manager access); default false.
   */
  ssm?: boolean;
  /**
   * Cap on any instance's life, in minutes.
   */
  maxMinutes?: number;
  /**
   * When cleanup may remove the batch (tags of every resource). aws-bench sets it at each launch; absent, it counts from the program's run.
   */
  expiresAt?: string;
  /**
   * Zones pinned when the batch was planned (zone IDs, stable across accounts), so a later `up` never moves a subnet or an instance. Absent: chosen from today's offerings.
   */
  zones?: {
    /**
     * `<instance type>/<repeat>` → zone ID.
     */
    instances: {
      [k: string]: string;
    };
    /**
     * Zone IDs the VPC's subnets span: every zone offering any type of the batch.
     *
     * @minItems 1
     */
    network: string[];
  };
  /**
   * Run in an existing subnet (and security group) instead of a new VPC.
   */
  network?: {
    subnetId: string;
    vpcId: string;
    securityGroupId?: string;
  };
  /**
   * SSH access: a key pair and the one IPv4 network let in (none with the user's own security group).
   */
  ssh?: {
    keyName: string;
    cidr?: string;
  };
  /**
   * Prebuilt images: container tag → image URI (nothing is built).
   */
  images?: {
    [k: string]: string;
  };
  /**
   * The region's long-lived image repository (aws-bench bootstrap makes it): images are built into it by content-hash tag and reused.
   */
  imageCache?: {
    repository: string;
    /**
     * Its URI, when known (else looked up).
     */
    url?: string;
    /**
     * Its ARN, when known (else looked up).
     */
    arn?: string;
  };
  /**
   * An image to reuse build layers from.
   */
  cacheFrom?: string;
  /**
   * The user's own tags on every resource (keys starting with aws: or aws-bench: are refused).
   */
  tags?: {
    [k: string]: string;
  };
  /**
   * Who creates the batch (aws-bench:created-by tag); default `pulumi`.
   */
  createdBy?: string;
  /**
   * The state backend holding the stack (aws-bench:backend tag), so cleanup asks the right one; default `unknown`.
   */
  backend?: string;
}
