package kit

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// NotImplemented marks an answer that is not an AWS API at all: an HTTP
// 404/500/501 whose body is no AWS error document. AWS itself always sends a
// coded error (even InternalFailure); an endpoint that does not implement
// the service does not (moto answers "Unable to find appropriate backend"
// with a bare 500 for IAM Access Analyzer and WAF Classic). Such a read is
// "not supported": still unknown, never "not enabled" or "no resources".
// Any other error is returned unchanged.
func NotImplemented(err error) error {
	var re *smithyhttp.ResponseError
	var de *smithy.DeserializationError
	if !errors.As(err, &re) || !errors.As(err, &de) {
		return err
	}
	switch re.HTTPStatusCode() {
	case http.StatusNotFound, http.StatusInternalServerError, http.StatusNotImplemented:
		return &smithy.GenericAPIError{Code: "NotImplemented",
			Message: fmt.Sprintf("endpoint answered HTTP %d without an AWS error: %v", re.HTTPStatusCode(), err)}
	}
	return err
}
