package privesc

// The technique catalogue is data: each technique names the actions it
// needs, the resource each action must be allowed on, the service a role is
// passed to, what it targets and what the attacker gains. The search
// (edges.go) interprets the entries; adding a technique of an existing
// shape is a new entry here and a scenario test.

// Gain is what a technique gives the attacker.
type Gain string

// Gains.
const (
	// GainBecome: the attacker obtains credentials of the target principal.
	GainBecome Gain = "becomes-target"
	// GainPermissions: code the attacker controls runs as the target role
	// (a service assumes it), so the attacker acts with its permissions and
	// can read its temporary credentials.
	GainPermissions Gain = "gains-target-permissions"
	// GainArbitraryPolicy: the attacker can give the target principal any
	// permission (write or attach a policy); a permissions boundary and
	// SCPs still limit it.
	GainArbitraryPolicy Gain = "gains-arbitrary-policy"
	// GainGroupPermissions: a user the attacker controls gains the
	// permissions of a group.
	GainGroupPermissions Gain = "gains-group-permissions"
	// GainPolicyVersion: the principals a managed policy is attached to
	// gain the permissions of another stored version of it.
	GainPolicyVersion Gain = "gains-policy-version"
	// GainBoundaryLifted: the target principal's permissions boundary is
	// removed (or replaced by one that limits nothing).
	GainBoundaryLifted Gain = "lifts-permissions-boundary"
)

// Target is what a technique acts on.
type Target string

// Targets.
const (
	TargetUser  Target = "user"  // an IAM user (the attacker's own or another)
	TargetRole  Target = "role"  // an IAM role
	TargetGroup Target = "group" // the members of an IAM group
	// TargetGroupJoin: a group any user the attacker controls can join.
	TargetGroupJoin Target = "group-join"
	// TargetPolicy: the principals a customer-managed policy is attached to.
	TargetPolicy Target = "policy"
	// TargetServiceRole: a role whose trust policy lets Service assume it,
	// passed to the service with iam:PassRole.
	TargetServiceRole Target = "service-role"
	// TargetInstanceRole: the role of a running EC2 instance's profile.
	TargetInstanceRole Target = "instance-role"
	// TargetFunctionRole: the execution role of an existing Lambda function.
	TargetFunctionRole Target = "function-role"
	// TargetNewPrincipal: a user or role the attacker creates, with a
	// policy of its choice (it has no permissions boundary unless the
	// creation is only allowed with one, which the engine evaluates).
	TargetNewPrincipal Target = "new-principal"
	// TargetResourceRole: the service role of an existing resource that the
	// snapshot does not inventory (Glue dev endpoints and jobs,
	// CloudFormation stacks, CodeBuild projects, SageMaker notebooks); the
	// edge assumes such a resource runs with a role Service can assume.
	TargetResourceRole Target = "resource-role"
)

// Need is a precondition a technique checks in the snapshot besides
// permissions.
type Need string

// Preconditions.
const (
	// NeedTrust: the target role's trust policy must let the caller assume
	// it (the engine decides it with the trust policy as resource policy).
	NeedTrust Need = "trust-policy-allows-caller"
	// NeedOwnTrust: the caller rewrites the trust policy to name itself;
	// the assume step is decided against that policy.
	NeedOwnTrust Need = "trust-policy-rewritten-by-caller"
	// NeedInstanceProfile: the role must be in an instance profile.
	NeedInstanceProfile Need = "role-in-instance-profile"
	// NeedNoInstanceProfile: the role is in no instance profile (the
	// attacker creates one).
	NeedNoInstanceProfile Need = "role-not-in-instance-profile"
	// NeedLoginProfile / NeedNoLoginProfile: the target user has (has no)
	// console password.
	NeedLoginProfile   Need = "user-has-console-password"
	NeedNoLoginProfile Need = "user-has-no-console-password"
	// NeedInstanceWithProfile: a running instance with a profile.
	NeedInstanceWithProfile Need = "running-instance-with-profile"
	// NeedInstanceWithoutProfile: a running instance without a profile.
	NeedInstanceWithoutProfile Need = "running-instance-without-profile"
	// NeedManagedInstance: the instance is registered with Systems Manager.
	NeedManagedInstance Need = "instance-managed-by-ssm"
	// NeedOwnFunctionPolicy: the attacker adds a statement naming itself to
	// the function policy (lambda:AddPermission); invocation is decided
	// against that policy.
	NeedOwnFunctionPolicy Need = "function-policy-names-caller"
)

// Resource templates of a Step. "{target}" is the target principal, group
// or policy ARN; "{instance}" and "{function}" an existing instance or
// function; "*" the action's "all resources". Other templates name a
// resource the attacker creates or an existing one the snapshot does not
// list, with {partition}, {region}, {account} and {name} filled in per
// candidate (edges.go, candidates).
const (
	OnTarget   = "{target}"
	OnInstance = "{instance}"
	OnFunction = "{function}"
	OnAny      = "*"
)

// Step is one action a technique needs, and the resource it must be
// allowed on.
type Step struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
}

// Technique is one privilege-escalation technique.
type Technique struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Summary string `json:"summary"`
	Steps   []Step `json:"steps"`
	// Service is the service principal a role is passed to
	// (iam:PassedToService on the iam:PassRole step) and that the role's
	// trust policy must allow; empty when no role is passed.
	Service string `json:"passed_to_service,omitempty"`
	Target  Target `json:"target"`
	Gain    Gain   `json:"gain"`
	Needs   []Need `json:"needs,omitempty"`
	// Assumes is said on every hop of the technique: what the snapshot
	// cannot show and the edge takes for granted.
	Assumes string   `json:"assumes,omitempty"`
	Refs    []string `json:"references"`
}

// References.
const (
	refRhino1       = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/"
	refRhino2       = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation-part-2/"
	refPassRole     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"
	refVersions     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/policies-managed-versions.html"
	refCreateVer    = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html"
	refManagedVsIn  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html"
	refGroups       = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_add-remove-users.html"
	refTrust        = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html"
	refAssume       = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html"
	refPrincipal    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
	refBoundaries   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
	refAccessKeys   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"
	refPasswords    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html"
	refEC2Roles     = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html"
	refProfiles     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html"
	refRunCommand   = "https://docs.aws.amazon.com/systems-manager/latest/userguide/run-command.html"
	refSession      = "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html"
	refEIC          = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/connect-linux-inst-eic.html"
	refLambdaRole   = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html"
	refLambdaESM    = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html"
	refLambdaPolicy = "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"
	refLambdaLayers = "https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html"
	refGlueDev      = "https://docs.aws.amazon.com/glue/latest/dg/dev-endpoint.html"
	refGlueJobs     = "https://docs.aws.amazon.com/glue/latest/dg/add-job.html"
	refCFNRole      = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html"
	refCFNChange    = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets.html"
	refDataPipeline = "https://docs.aws.amazon.com/datapipeline/latest/DeveloperGuide/dp-iam-roles.html"
	refCodeBuild    = "https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html"
	refStartBuild   = "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_StartBuild.html"
	refSageMaker    = "https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html"
	refECSTaskRole  = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html"
)

// Service principals.
const (
	svcEC2            = "ec2.amazonaws.com"
	svcLambda         = "lambda.amazonaws.com"
	svcGlue           = "glue.amazonaws.com"
	svcCloudFormation = "cloudformation.amazonaws.com"
	svcDataPipeline   = "datapipeline.amazonaws.com"
	svcCodeBuild      = "codebuild.amazonaws.com"
	svcSageMaker      = "sagemaker.amazonaws.com"
	svcECSTasks       = "ecs-tasks.amazonaws.com"
)

// Resource templates of resources the attacker names.
const (
	tplInstances    = "arn:{partition}:ec2:{region}:{account}:instance/*"
	tplProfile      = "arn:{partition}:iam::{account}:instance-profile/{name}"
	tplFunction     = "arn:{partition}:lambda:{region}:{account}:function:{name}"
	tplDevEndpoint  = "arn:{partition}:glue:{region}:{account}:devEndpoint/{name}"
	tplGlueJob      = "arn:{partition}:glue:{region}:{account}:job/{name}"
	tplStack        = "arn:{partition}:cloudformation:{region}:{account}:stack/{name}/*"
	tplProject      = "arn:{partition}:codebuild:{region}:{account}:project/{name}"
	tplNotebook     = "arn:{partition}:sagemaker:{region}:{account}:notebook-instance/{name}"
	tplTrainingJob  = "arn:{partition}:sagemaker:{region}:{account}:training-job/{name}"
	tplProcessing   = "arn:{partition}:sagemaker:{region}:{account}:processing-job/{name}"
	tplNewUser      = "arn:{partition}:iam::{account}:user/{name}"
	tplNewRole      = "arn:{partition}:iam::{account}:role/{name}"
	tplTaskDef      = "arn:{partition}:ecs:{region}:{account}:task-definition/{name}:1"
	tplRunShellDoc  = "arn:{partition}:ssm:{region}::document/AWS-RunShellScript"
	actionPassRole  = "iam:PassRole"
	actionAssume    = "sts:AssumeRole"
	actionInvokeFn  = "lambda:InvokeFunction"
	actionCreateESM = "lambda:CreateEventSourceMapping"
)

func passRole() Step { return Step{Action: actionPassRole, Resource: OnTarget} }

// catalogue is the technique list, in documentation order.
var catalogue = []Technique{
	// Policy changes.
	{
		ID: "iam:CreatePolicyVersion", Name: "New version of a customer-managed policy",
		Summary: "Create a new default version of a customer-managed policy attached to a principal the attacker controls; setting it as default needs no iam:SetDefaultPolicyVersion. A policy that already has five versions needs iam:DeletePolicyVersion too. AWS-managed policies cannot be versioned by customers.",
		Steps:   []Step{{Action: "iam:CreatePolicyVersion", Resource: OnTarget}},
		Target:  TargetPolicy, Gain: GainArbitraryPolicy,
		Refs: []string{refRhino1, refCreateVer, refVersions},
	},
	{
		ID: "iam:SetDefaultPolicyVersion", Name: "Switch a managed policy to another stored version",
		Summary: "Make another stored version of a customer-managed policy the default; an edge exists only for versions that let the principals holding the policy do more (the new node is admin or has further edges).",
		Steps:   []Step{{Action: "iam:SetDefaultPolicyVersion", Resource: OnTarget}},
		Target:  TargetPolicy, Gain: GainPolicyVersion,
		Refs: []string{refRhino1, refVersions},
	},
	{
		ID: "iam:AttachUserPolicy", Name: "Attach a managed policy to a user",
		Summary: "Attach AdministratorAccess (or an admin customer-managed policy; iam:PolicyARN is evaluated) to a user the attacker controls.",
		Steps:   []Step{{Action: "iam:AttachUserPolicy", Resource: OnTarget}},
		Target:  TargetUser, Gain: GainArbitraryPolicy,
		Refs: []string{refRhino1, refManagedVsIn},
	},
	{
		ID: "iam:AttachGroupPolicy", Name: "Attach a managed policy to a group",
		Summary: "Attach an admin policy to a group that a user the attacker controls belongs to.",
		Steps:   []Step{{Action: "iam:AttachGroupPolicy", Resource: OnTarget}},
		Target:  TargetGroup, Gain: GainArbitraryPolicy,
		Refs: []string{refRhino1, refManagedVsIn},
	},
	{
		ID: "iam:AttachRolePolicy", Name: "Attach a managed policy to a role",
		Summary: "Attach an admin policy to a role the attacker can use (assume, pass, or already is).",
		Steps:   []Step{{Action: "iam:AttachRolePolicy", Resource: OnTarget}},
		Target:  TargetRole, Gain: GainArbitraryPolicy,
		Refs: []string{refRhino1, refManagedVsIn},
	},
	{
		ID: "iam:PutUserPolicy", Name: "Write an inline policy on a user",
		Summary: "Write an inline policy granting everything on a user the attacker controls.",
		Steps:   []Step{{Action: "iam:PutUserPolicy", Resource: OnTarget}},
		Target:  TargetUser, Gain: GainArbitraryPolicy,
		Refs: []string{refRhino1, refManagedVsIn},
	},
	{
		ID: "iam:PutGroupPolicy", Name: "Write an inline policy on a group",
		Summary: "Write an inline policy granting everything on a group that a user the attacker controls belongs to.",
		Steps:   []Step{{Action: "iam:PutGroupPolicy", Resource: OnTarget}},
		Target:  TargetGroup, Gain: GainArbitraryPolicy,
		Refs: []string{refRhino1, refManagedVsIn},
	},
	{
		ID: "iam:PutRolePolicy", Name: "Write an inline policy on a role",
		Summary: "Write an inline policy granting everything on a role the attacker can use.",
		Steps:   []Step{{Action: "iam:PutRolePolicy", Resource: OnTarget}},
		Target:  TargetRole, Gain: GainArbitraryPolicy,
		Refs: []string{refRhino1, refManagedVsIn},
	},
	{
		ID: "iam:AddUserToGroup", Name: "Join a more privileged group",
		Summary: "Add a user the attacker controls to a group and gain the group's permissions.",
		Steps:   []Step{{Action: "iam:AddUserToGroup", Resource: OnTarget}},
		Target:  TargetGroupJoin, Gain: GainGroupPermissions,
		Refs: []string{refRhino1, refGroups},
	},
	{
		ID: "iam:UpdateAssumeRolePolicy", Name: "Rewrite a role's trust policy, then assume it",
		Summary: "Replace a role's trust policy with one naming the attacker, then call sts:AssumeRole; the assume step is decided against the rewritten trust policy (SCPs and explicit denies still apply).",
		Steps:   []Step{{Action: "iam:UpdateAssumeRolePolicy", Resource: OnTarget}, {Action: actionAssume, Resource: OnTarget}},
		Target:  TargetRole, Gain: GainBecome, Needs: []Need{NeedOwnTrust},
		Refs: []string{refRhino1, refTrust},
	},
	{
		ID: "iam:DeleteUserPermissionsBoundary", Name: "Remove a user's permissions boundary",
		Summary: "Delete the permissions boundary of a user the attacker controls, so that its identity policies apply in full.",
		Steps:   []Step{{Action: "iam:DeleteUserPermissionsBoundary", Resource: OnTarget}},
		Target:  TargetUser, Gain: GainBoundaryLifted,
		Refs: []string{refBoundaries},
	},
	{
		ID: "iam:DeleteRolePermissionsBoundary", Name: "Remove a role's permissions boundary",
		Summary: "Delete the permissions boundary of a role the attacker controls.",
		Steps:   []Step{{Action: "iam:DeleteRolePermissionsBoundary", Resource: OnTarget}},
		Target:  TargetRole, Gain: GainBoundaryLifted,
		Refs: []string{refBoundaries},
	},
	{
		ID: "iam:PutUserPermissionsBoundary", Name: "Replace a user's permissions boundary",
		Summary: "Set AdministratorAccess as the permissions boundary of a user the attacker controls (iam:PermissionsBoundary is evaluated).",
		Steps:   []Step{{Action: "iam:PutUserPermissionsBoundary", Resource: OnTarget}},
		Target:  TargetUser, Gain: GainBoundaryLifted,
		Refs: []string{refBoundaries},
	},
	{
		ID: "iam:PutRolePermissionsBoundary", Name: "Replace a role's permissions boundary",
		Summary: "Set AdministratorAccess as the permissions boundary of a role the attacker controls (iam:PermissionsBoundary is evaluated).",
		Steps:   []Step{{Action: "iam:PutRolePermissionsBoundary", Resource: OnTarget}},
		Target:  TargetRole, Gain: GainBoundaryLifted,
		Refs: []string{refBoundaries},
	},

	{
		ID: "iam:CreateUser+iam:PutUserPolicy+iam:CreateAccessKey", Name: "Create a new user with an inline admin policy",
		Summary: "Create a user, write an inline policy granting everything on it and create its access key; the new user has none of the attacker's denies or boundary.",
		Steps: []Step{{Action: "iam:CreateUser", Resource: tplNewUser}, {Action: "iam:PutUserPolicy", Resource: tplNewUser},
			{Action: "iam:CreateAccessKey", Resource: tplNewUser}},
		Target: TargetNewPrincipal, Gain: GainArbitraryPolicy,
		Refs: []string{refManagedVsIn, refAccessKeys},
	},
	{
		ID: "iam:CreateUser+iam:AttachUserPolicy+iam:CreateAccessKey", Name: "Create a new user with an admin managed policy",
		Summary: "Create a user, attach AdministratorAccess (iam:PolicyARN is evaluated) and create its access key.",
		Steps: []Step{{Action: "iam:CreateUser", Resource: tplNewUser}, {Action: "iam:AttachUserPolicy", Resource: tplNewUser},
			{Action: "iam:CreateAccessKey", Resource: tplNewUser}},
		Target: TargetNewPrincipal, Gain: GainArbitraryPolicy,
		Refs: []string{refManagedVsIn, refAccessKeys},
	},
	{
		ID: "iam:CreateRole+iam:PutRolePolicy+sts:AssumeRole", Name: "Create a new role trusting the attacker, with an inline admin policy",
		Summary: "Create a role whose trust policy names the attacker, write an inline policy granting everything on it, and assume it.",
		Steps: []Step{{Action: "iam:CreateRole", Resource: tplNewRole}, {Action: "iam:PutRolePolicy", Resource: tplNewRole},
			{Action: actionAssume, Resource: tplNewRole}},
		Target: TargetNewPrincipal, Gain: GainArbitraryPolicy, Needs: []Need{NeedOwnTrust},
		Refs: []string{refManagedVsIn, refTrust},
	},
	{
		ID: "iam:CreateRole+iam:AttachRolePolicy+sts:AssumeRole", Name: "Create a new role trusting the attacker, with an admin managed policy",
		Summary: "Create a role whose trust policy names the attacker, attach AdministratorAccess (iam:PolicyARN is evaluated) and assume it.",
		Steps: []Step{{Action: "iam:CreateRole", Resource: tplNewRole}, {Action: "iam:AttachRolePolicy", Resource: tplNewRole},
			{Action: actionAssume, Resource: tplNewRole}},
		Target: TargetNewPrincipal, Gain: GainArbitraryPolicy, Needs: []Need{NeedOwnTrust},
		Refs: []string{refManagedVsIn, refTrust},
	},

	// Credential takeover and role assumption.
	{
		ID: "iam:CreateAccessKey", Name: "Create an access key for another user",
		Summary: "Create a long-term access key for another user and act as that user (a user with two keys needs iam:DeleteAccessKey as well).",
		Steps:   []Step{{Action: "iam:CreateAccessKey", Resource: OnTarget}},
		Target:  TargetUser, Gain: GainBecome,
		Refs: []string{refRhino1, refAccessKeys},
	},
	{
		ID: "iam:CreateLoginProfile", Name: "Give another user a console password",
		Summary: "Create a console password for a user that has none and sign in as that user.",
		Steps:   []Step{{Action: "iam:CreateLoginProfile", Resource: OnTarget}},
		Target:  TargetUser, Gain: GainBecome, Needs: []Need{NeedNoLoginProfile},
		Refs: []string{refRhino1, refPasswords},
	},
	{
		ID: "iam:UpdateLoginProfile", Name: "Change another user's console password",
		Summary: "Reset the console password of a user that has one and sign in as that user.",
		Steps:   []Step{{Action: "iam:UpdateLoginProfile", Resource: OnTarget}},
		Target:  TargetUser, Gain: GainBecome, Needs: []Need{NeedLoginProfile},
		Refs: []string{refRhino1, refPasswords},
	},
	{
		ID: "sts:AssumeRole", Name: "Assume a role its trust policy allows",
		Summary: "Call sts:AssumeRole on a role whose trust policy allows the caller; a trust policy naming the account (arn:aws:iam::ACCOUNT:root) delegates to the caller's identity policies, which must then allow sts:AssumeRole on the role. Chains of roles are chains of this hop.",
		Steps:   []Step{{Action: actionAssume, Resource: OnTarget}},
		Target:  TargetRole, Gain: GainBecome, Needs: []Need{NeedTrust},
		Refs: []string{refAssume, refPrincipal},
	},

	// EC2.
	{
		ID: "iam:PassRole+ec2:RunInstances", Name: "Launch an instance with the role's instance profile",
		Summary: "Launch an EC2 instance with an instance profile holding the role and read the role's credentials from the instance metadata service.",
		Steps:   []Step{passRole(), {Action: "ec2:RunInstances", Resource: tplInstances}},
		Service: svcEC2, Target: TargetServiceRole, Gain: GainPermissions, Needs: []Need{NeedInstanceProfile},
		Refs: []string{refRhino1, refPassRole, refEC2Roles},
	},
	{
		ID: "iam:AddRoleToInstanceProfile+iam:PassRole+ec2:RunInstances", Name: "Put the role in a new instance profile and launch an instance",
		Summary: "Create an instance profile, add a role that EC2 may assume but that is in no profile, and launch an instance with it.",
		Steps: []Step{{Action: "iam:CreateInstanceProfile", Resource: tplProfile}, {Action: "iam:AddRoleToInstanceProfile", Resource: tplProfile},
			passRole(), {Action: "ec2:RunInstances", Resource: tplInstances}},
		Service: svcEC2, Target: TargetServiceRole, Gain: GainPermissions, Needs: []Need{NeedNoInstanceProfile},
		Refs: []string{refProfiles, refPassRole},
	},
	{
		ID: "iam:PassRole+ec2:AssociateIamInstanceProfile", Name: "Attach the role's instance profile to a running instance",
		Summary: "Associate an instance profile holding the role with a running instance that has none; the attacker needs a way onto that instance (SSH, SSM, user data) to read the credentials.",
		Steps:   []Step{passRole(), {Action: "ec2:AssociateIamInstanceProfile", Resource: OnInstance}},
		Service: svcEC2, Target: TargetServiceRole, Gain: GainPermissions, Needs: []Need{NeedInstanceProfile, NeedInstanceWithoutProfile},
		Assumes: "the attacker can run code on the instance (SSH, SSM or another foothold)",
		Refs:    []string{refEC2Roles, refPassRole},
	},
	{
		ID: "iam:PassRole+ec2:ReplaceIamInstanceProfileAssociation", Name: "Swap the instance profile of a running instance",
		Summary: "Replace the instance profile of a running instance with one holding the role.",
		Steps:   []Step{passRole(), {Action: "ec2:ReplaceIamInstanceProfileAssociation", Resource: OnInstance}},
		Service: svcEC2, Target: TargetServiceRole, Gain: GainPermissions, Needs: []Need{NeedInstanceProfile, NeedInstanceWithProfile},
		Assumes: "the attacker can run code on the instance (SSH, SSM or another foothold)",
		Refs:    []string{refEC2Roles, refPassRole},
	},
	{
		ID: "ssm:SendCommand", Name: "Run a command on an instance through Systems Manager",
		Summary: "Run AWS-RunShellScript on a managed instance whose profile holds the role and read the role's credentials.",
		Steps:   []Step{{Action: "ssm:SendCommand", Resource: OnInstance}, {Action: "ssm:SendCommand", Resource: tplRunShellDoc}},
		Target:  TargetInstanceRole, Gain: GainPermissions, Needs: []Need{NeedInstanceWithProfile, NeedManagedInstance},
		Refs: []string{refRunCommand},
	},
	{
		ID: "ssm:StartSession", Name: "Open a Session Manager shell on an instance",
		Summary: "Start a Session Manager session on a managed instance whose profile holds the role.",
		Steps:   []Step{{Action: "ssm:StartSession", Resource: OnInstance}},
		Target:  TargetInstanceRole, Gain: GainPermissions, Needs: []Need{NeedInstanceWithProfile, NeedManagedInstance},
		Refs: []string{refSession},
	},
	{
		ID: "ec2-instance-connect:SendSSHPublicKey", Name: "Push an SSH key with EC2 Instance Connect",
		Summary: "Push a one-time SSH key to a running instance whose profile holds the role and log in.",
		Steps:   []Step{{Action: "ec2-instance-connect:SendSSHPublicKey", Resource: OnInstance}},
		Target:  TargetInstanceRole, Gain: GainPermissions, Needs: []Need{NeedInstanceWithProfile},
		Assumes: "the instance runs the Instance Connect agent and its SSH port is reachable (directly or through an Instance Connect endpoint)",
		Refs:    []string{refEIC},
	},

	// Lambda.
	{
		ID: "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction", Name: "Create and invoke a function with the role",
		Summary: "Create a Lambda function whose execution role is the target and invoke it.",
		Steps:   []Step{passRole(), {Action: "lambda:CreateFunction", Resource: tplFunction}, {Action: actionInvokeFn, Resource: tplFunction}},
		Service: svcLambda, Target: TargetServiceRole, Gain: GainPermissions,
		Refs: []string{refRhino1, refPassRole, refLambdaRole},
	},
	{
		ID: "iam:PassRole+lambda:CreateFunction+lambda:CreateEventSourceMapping", Name: "Create a function with the role and trigger it from an event source",
		Summary: "Create a Lambda function with the target role and map an event source (a DynamoDB stream, SQS queue, …) to it so that Lambda invokes it.",
		Steps:   []Step{passRole(), {Action: "lambda:CreateFunction", Resource: tplFunction}, {Action: actionCreateESM, Resource: OnAny}},
		Service: svcLambda, Target: TargetServiceRole, Gain: GainPermissions,
		Assumes: "an event source (stream or queue) the attacker can write to exists",
		Refs:    []string{refRhino1, refLambdaESM},
	},
	{
		ID: "iam:PassRole+lambda:CreateFunction+lambda:AddPermission", Name: "Create a function with the role and grant yourself invoke in its policy",
		Summary: "Create a Lambda function with the target role, add a function-policy statement naming the attacker, and invoke it under that statement.",
		Steps:   []Step{passRole(), {Action: "lambda:CreateFunction", Resource: tplFunction}, {Action: "lambda:AddPermission", Resource: tplFunction}, {Action: actionInvokeFn, Resource: tplFunction}},
		Service: svcLambda, Target: TargetServiceRole, Gain: GainPermissions, Needs: []Need{NeedOwnFunctionPolicy},
		Refs: []string{refLambdaPolicy, refPassRole},
	},
	{
		ID: "lambda:UpdateFunctionCode", Name: "Replace the code of an existing function",
		Summary: "Replace the code of an existing function whose execution role is the target; the code runs as the role at the next invocation.",
		Steps:   []Step{{Action: "lambda:UpdateFunctionCode", Resource: OnFunction}},
		Target:  TargetFunctionRole, Gain: GainPermissions,
		Assumes: "the function is invoked (by its triggers or by the attacker) after the change",
		Refs:    []string{refRhino1, refLambdaRole},
	},
	{
		ID: "lambda:UpdateFunctionConfiguration", Name: "Add a malicious layer to an existing function",
		Summary: "Attach a layer (which can live in the attacker's own account) that overrides the runtime's libraries of an existing function whose execution role is the target.",
		Steps:   []Step{{Action: "lambda:UpdateFunctionConfiguration", Resource: OnFunction}},
		Target:  TargetFunctionRole, Gain: GainPermissions,
		Assumes: "the function is invoked after the change",
		Refs:    []string{refRhino2, refLambdaLayers},
	},
	{
		ID: "iam:PassRole+lambda:UpdateFunctionConfiguration", Name: "Give an existing function the role, with a malicious layer",
		Summary: "Change the execution role of an existing function to the target (passing it) and add a layer that runs the attacker's code.",
		Steps:   []Step{passRole(), {Action: "lambda:UpdateFunctionConfiguration", Resource: OnFunction}},
		Service: svcLambda, Target: TargetServiceRole, Gain: GainPermissions,
		Assumes: "the function is invoked after the change",
		Refs:    []string{refPassRole, refLambdaLayers},
	},

	// Glue.
	{
		ID: "iam:PassRole+glue:CreateDevEndpoint", Name: "Create a Glue development endpoint with the role",
		Summary: "Create a Glue development endpoint with the target role and an SSH key, log in and use the role.",
		Steps:   []Step{passRole(), {Action: "glue:CreateDevEndpoint", Resource: tplDevEndpoint}},
		Service: svcGlue, Target: TargetServiceRole, Gain: GainPermissions,
		Refs: []string{refRhino1, refGlueDev},
	},
	{
		ID: "glue:UpdateDevEndpoint", Name: "Add an SSH key to an existing Glue development endpoint",
		Summary: "Add the attacker's SSH key to an existing development endpoint that runs with the target role.",
		Steps:   []Step{{Action: "glue:UpdateDevEndpoint", Resource: tplDevEndpoint}},
		Service: svcGlue, Target: TargetResourceRole, Gain: GainPermissions,
		Assumes: "a Glue development endpoint runs with this role (the snapshot does not list Glue endpoints)",
		Refs:    []string{refRhino1, refGlueDev},
	},
	{
		ID: "iam:PassRole+glue:CreateJob+glue:StartJobRun", Name: "Create and run a Glue job with the role",
		Summary: "Create a Glue job whose script runs as the target role and start it.",
		Steps:   []Step{passRole(), {Action: "glue:CreateJob", Resource: tplGlueJob}, {Action: "glue:StartJobRun", Resource: tplGlueJob}},
		Service: svcGlue, Target: TargetServiceRole, Gain: GainPermissions,
		Refs: []string{refGlueJobs, refPassRole},
	},
	{
		ID: "iam:PassRole+glue:UpdateJob+glue:StartJobRun", Name: "Point an existing Glue job at the role and run it",
		Summary: "Update an existing Glue job's script and role to the target and start it.",
		Steps:   []Step{passRole(), {Action: "glue:UpdateJob", Resource: tplGlueJob}, {Action: "glue:StartJobRun", Resource: tplGlueJob}},
		Service: svcGlue, Target: TargetServiceRole, Gain: GainPermissions,
		Assumes: "a Glue job exists (the snapshot does not list Glue jobs)",
		Refs:    []string{refGlueJobs, refPassRole},
	},

	// CloudFormation.
	{
		ID: "iam:PassRole+cloudformation:CreateStack", Name: "Create a stack that runs as the role",
		Summary: "Create a CloudFormation stack with the target as its service role; the template creates whatever the role may (an admin user with keys, …).",
		Steps:   []Step{passRole(), {Action: "cloudformation:CreateStack", Resource: tplStack}},
		Service: svcCloudFormation, Target: TargetServiceRole, Gain: GainPermissions,
		Refs: []string{refRhino1, refCFNRole},
	},
	{
		ID: "cloudformation:UpdateStack", Name: "Update an existing stack that runs as the role",
		Summary: "Update the template of an existing stack whose service role is the target.",
		Steps:   []Step{{Action: "cloudformation:UpdateStack", Resource: tplStack}},
		Service: svcCloudFormation, Target: TargetResourceRole, Gain: GainPermissions,
		Assumes: "a stack uses this role as its service role (the snapshot does not list stacks)",
		Refs:    []string{refCFNRole},
	},
	{
		ID: "cloudformation:CreateChangeSet+cloudformation:ExecuteChangeSet", Name: "Change set on an existing stack that runs as the role",
		Summary: "Create and execute a change set on an existing stack whose service role is the target.",
		Steps:   []Step{{Action: "cloudformation:CreateChangeSet", Resource: tplStack}, {Action: "cloudformation:ExecuteChangeSet", Resource: tplStack}},
		Service: svcCloudFormation, Target: TargetResourceRole, Gain: GainPermissions,
		Assumes: "a stack uses this role as its service role (the snapshot does not list stacks)",
		Refs:    []string{refCFNChange, refCFNRole},
	},

	// Data Pipeline.
	{
		ID: "iam:PassRole+datapipeline:CreatePipeline+datapipeline:PutPipelineDefinition+datapipeline:ActivatePipeline", Name: "Data Pipeline running a command as the role",
		Summary: "Create a pipeline whose definition runs a shell command with the target role, and activate it.",
		Steps: []Step{passRole(), {Action: "datapipeline:CreatePipeline", Resource: OnAny},
			{Action: "datapipeline:PutPipelineDefinition", Resource: OnAny}, {Action: "datapipeline:ActivatePipeline", Resource: OnAny}},
		Service: svcDataPipeline, Target: TargetServiceRole, Gain: GainPermissions,
		Refs: []string{refRhino1, refDataPipeline},
	},

	// CodeBuild.
	{
		ID: "iam:PassRole+codebuild:CreateProject+codebuild:StartBuild", Name: "CodeBuild project with the role",
		Summary: "Create a CodeBuild project with the target as service role and a buildspec that runs the attacker's commands, and start a build.",
		Steps:   []Step{passRole(), {Action: "codebuild:CreateProject", Resource: tplProject}, {Action: "codebuild:StartBuild", Resource: tplProject}},
		Service: svcCodeBuild, Target: TargetServiceRole, Gain: GainPermissions,
		Refs: []string{refCodeBuild, refPassRole},
	},
	{
		ID: "codebuild:UpdateProject", Name: "Change the buildspec of an existing project",
		Summary: "Update the buildspec of an existing project whose service role is the target; the next build (webhook, schedule or pipeline) runs the attacker's commands as the role.",
		Steps:   []Step{{Action: "codebuild:UpdateProject", Resource: tplProject}},
		Service: svcCodeBuild, Target: TargetResourceRole, Gain: GainPermissions,
		Assumes: "a CodeBuild project uses this role and is built after the change (the snapshot does not list projects)",
		Refs:    []string{refCodeBuild},
	},
	{
		ID: "codebuild:StartBuild", Name: "Start a build with a buildspec override",
		Summary: "Start a build of an existing project with buildspecOverride, which runs the attacker's commands with the project's service role.",
		Steps:   []Step{{Action: "codebuild:StartBuild", Resource: tplProject}},
		Service: svcCodeBuild, Target: TargetResourceRole, Gain: GainPermissions,
		Assumes: "a CodeBuild project uses this role (the snapshot does not list projects)",
		Refs:    []string{refStartBuild},
	},

	// SageMaker.
	{
		ID: "iam:PassRole+sagemaker:CreateNotebookInstance+sagemaker:CreatePresignedNotebookInstanceUrl", Name: "SageMaker notebook with the role",
		Summary: "Create a notebook instance with the target role and open it through a presigned URL; its terminal runs as the role.",
		Steps:   []Step{passRole(), {Action: "sagemaker:CreateNotebookInstance", Resource: tplNotebook}, {Action: "sagemaker:CreatePresignedNotebookInstanceUrl", Resource: tplNotebook}},
		Service: svcSageMaker, Target: TargetServiceRole, Gain: GainPermissions,
		Refs: []string{refRhino2, refSageMaker},
	},
	{
		ID: "sagemaker:CreatePresignedNotebookInstanceUrl", Name: "Open an existing SageMaker notebook",
		Summary: "Create a presigned URL for an existing notebook instance whose role is the target and use its terminal.",
		Steps:   []Step{{Action: "sagemaker:CreatePresignedNotebookInstanceUrl", Resource: tplNotebook}},
		Service: svcSageMaker, Target: TargetResourceRole, Gain: GainPermissions,
		Assumes: "a notebook instance runs with this role (the snapshot does not list notebooks)",
		Refs:    []string{refRhino2, refSageMaker},
	},
	{
		ID: "iam:PassRole+sagemaker:CreateTrainingJob", Name: "SageMaker training job with the role",
		Summary: "Create a training job whose container (the attacker's image) runs with the target role.",
		Steps:   []Step{passRole(), {Action: "sagemaker:CreateTrainingJob", Resource: tplTrainingJob}},
		Service: svcSageMaker, Target: TargetServiceRole, Gain: GainPermissions,
		Refs: []string{refRhino2, refSageMaker},
	},
	{
		ID: "iam:PassRole+sagemaker:CreateProcessingJob", Name: "SageMaker processing job with the role",
		Summary: "Create a processing job whose container runs the attacker's commands with the target role.",
		Steps:   []Step{passRole(), {Action: "sagemaker:CreateProcessingJob", Resource: tplProcessing}},
		Service: svcSageMaker, Target: TargetServiceRole, Gain: GainPermissions,
		Refs: []string{refRhino2, refSageMaker},
	},

	// ECS.
	{
		ID: "iam:PassRole+ecs:RegisterTaskDefinition+ecs:RunTask", Name: "ECS task with the role",
		Summary: "Register a task definition whose task role is the target and run it; the container reads the role's credentials.",
		Steps:   []Step{passRole(), {Action: "ecs:RegisterTaskDefinition", Resource: OnAny}, {Action: "ecs:RunTask", Resource: tplTaskDef}},
		Service: svcECSTasks, Target: TargetServiceRole, Gain: GainPermissions,
		Assumes: "an ECS cluster with capacity (or Fargate) is available",
		Refs:    []string{refECSTaskRole, refPassRole},
	},
}

// Catalogue returns the techniques, in documentation order. The slice is a
// copy: callers may not change the analysis through it.
func Catalogue() []Technique {
	out := make([]Technique, len(catalogue))
	copy(out, catalogue)
	return out
}

// TechniqueByID returns a technique of the catalogue.
func TechniqueByID(id string) (Technique, bool) {
	for _, t := range catalogue {
		if t.ID == id {
			return t, true
		}
	}
	return Technique{}, false
}
