package checks

import (
	"fmt"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/efs"
)

// addSyntheticEFS adds a few EFS file systems per region (a few per 1,000
// resources) with a mix of outcomes: unencrypted ones, automatic backups
// off, mount targets in the region's synthetic subnets (some of which
// assign public addresses), and access points with and without a confined
// root and an enforced identity.
func addSyntheticEFS(s *model.Snapshot, acct string, n int) {
	perRegion := max(3, n/1000/len(syntheticRegions))
	for _, region := range syntheticRegions {
		var subnets []string
		if r := s.EC2Region(region); r != nil {
			for _, sn := range r.Subnets.V {
				subnets = append(subnets, sn.ID)
			}
		}
		prefix := "arn:aws:elasticfilesystem:" + region + ":" + acct + ":"
		fss := make([]efs.FileSystem, 0, perRegion)
		for i := 0; i < perRegion; i++ {
			id := fmt.Sprintf("fs-%08x", i)
			var mts []efs.MountTarget
			for j := 0; j < i%3 && len(subnets) > 0; j++ {
				mts = append(mts, efs.MountTarget{ID: fmt.Sprintf("fsmt-%d-%d", i, j), FileSystemID: id,
					SubnetID: subnets[(i+j)%len(subnets)], LifeCycleState: "available", SecurityGroups: core.Known([]string{})})
			}
			var aps []efs.AccessPoint
			for j := 0; j < 1+i%2; j++ {
				ap := efs.AccessPoint{Meta: core.Meta{ARN: prefix + fmt.Sprintf("access-point/fsap-%d-%d", i, j), Account: acct, Region: region},
					ID: fmt.Sprintf("fsap-%d-%d", i, j), FileSystemID: id, LifeCycleState: "available", RootDirectory: "/"}
				if (i+j)%2 == 0 {
					ap.RootDirectory, ap.PosixUser = fmt.Sprintf("/app%d", j), &efs.PosixUser{UID: 1000 + int64(j), GID: 1000}
				}
				aps = append(aps, ap)
			}
			fss = append(fss, efs.FileSystem{
				Meta: core.Meta{ARN: prefix + "file-system/" + id, Account: acct, Region: region},
				ID:   id, LifeCycleState: "available", Encrypted: i%4 != 3, PerformanceMode: "generalPurpose", ThroughputMode: "bursting",
				NumberOfMountTargets: len(mts),
				BackupPolicy:         core.Known([]string{"ENABLED", "DISABLED", ""}[i%3]),
				Policy:               core.Known(""),
				MountTargets:         core.Known(mts),
				AccessPoints:         core.Known(aps),
			})
		}
		s.EFS = append(s.EFS, efs.Region{Name: region, FileSystems: core.Known(fss)})
	}
}
